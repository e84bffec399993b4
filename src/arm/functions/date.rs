//! Date functions: `dateTimeAdd`, `dateTimeFromEpoch`, `dateTimeToEpoch` (`utcNow` is in
//! [`super::call`]: it is only known at deployment).
//!
//! Date-times are read in the ISO 8601 form `yyyy-MM-ddTHH:mm:ss[.fffffff](Z|±hh:mm)`; a time
//! without an offset is unknown (.NET would read it in the server's zone). `dateTimeAdd` adds
//! weeks, days, hours, minutes and seconds; years and months, whose length .NET's duration
//! parser does not define the way the calendar does, are unknown, and so is a result without an
//! explicit format (the docs show that it is not the base's format).

use super::{
    arity, fail, first_unknown, hole_unknown, int_arg, str_arg, type_error, unknown, unknown_from,
    FnCtx, FnResult,
};
use crate::arm::hole;
use crate::arm::value::Value;

/// Seconds in a day.
const DAY: i64 = 86_400;
/// The first and last second .NET's `DateTime` holds (years 1 to 9999), from the epoch.
const MIN_SECONDS: i64 = -62_135_596_800;
const MAX_SECONDS: i64 = 253_402_300_799;

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A parsed date-time: seconds since the epoch (UTC) and the fraction in 100 ns ticks.
#[derive(Debug, PartialEq, Eq)]
struct Instant {
    seconds: i64,
    ticks: u32,
}

/// What a date-time string is.
enum Parsed {
    At(Instant),
    /// Valid, but without an offset.
    NoOffset,
    Invalid,
}

/// Reads `yyyy-MM-ddTHH:mm:ss[.f+](Z|±hh:mm)`.
fn parse_date_time(s: &str) -> Parsed {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(y), Some(mo), Some(d)) = (num(0, 4), num(5, 2), num(8, 2)) else {
        return Parsed::Invalid;
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
    {
        return Parsed::Invalid;
    }
    let (Some(h), Some(mi), Some(sec)) = (num(11, 2), num(14, 2), num(17, 2)) else {
        return Parsed::Invalid;
    };
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return Parsed::Invalid;
    }
    if !(1..=12).contains(&mo)
        || d < 1
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || sec > 59
        || y < 1
    {
        return Parsed::Invalid;
    }
    let mut rest = &s[19..];
    let mut ticks = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 7 {
            return Parsed::Invalid;
        }
        let padded = format!("{:0<7}", &frac[..digits]);
        ticks = padded.parse().unwrap_or(0);
        rest = &frac[digits..];
    }
    let offset = match rest {
        "" => return Parsed::NoOffset,
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Parsed::Invalid,
            };
            let o = &rest[1..];
            let (Some(oh), Some(om)) = (
                o.get(0..2).and_then(|x| x.parse::<i64>().ok()),
                o.get(3..5).and_then(|x| x.parse::<i64>().ok()),
            ) else {
                return Parsed::Invalid;
            };
            if o.len() != 5 || o.as_bytes()[2] != b':' || oh > 14 || om > 59 {
                return Parsed::Invalid;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    let seconds = days_from_civil(y, mo, d) * DAY + h * 3600 + mi * 60 + sec - offset;
    Parsed::At(Instant { seconds, ticks })
}

/// The date-time argument of `name`, or the result to return.
fn date_arg(name: &str, s: &str, cx: &FnCtx) -> Result<Result<Instant, Value>, super::FnError> {
    if hole::has_hole(s) {
        return Ok(Err(hole_unknown(s, cx)?));
    }
    match parse_date_time(s) {
        Parsed::At(i) => Ok(Ok(i)),
        Parsed::NoOffset => Ok(Err(unknown(
            format!("`{s}` has no UTC offset; .NET reads it in the server's time zone"),
            cx,
        )?)),
        Parsed::Invalid => fail(format!(
            "`{name}` argument `{s}` is not an ISO 8601 date-time"
        )),
    }
}

/// `dateTimeFromEpoch(epochTime)`: `yyyy-MM-ddTHH:mm:ssZ`.
pub(super) fn date_time_from_epoch(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("dateTimeFromEpoch", args, 1, 1)?;
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let t = int_arg("dateTimeFromEpoch", args, 0)?;
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&t) {
        return fail(format!(
            "`dateTimeFromEpoch` time `{t}` is outside years 1 to 9999"
        ));
    }
    Ok(Value::str(format_iso(t), cx.span))
}

fn format_iso(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `dateTimeToEpoch(dateTime)`: whole seconds since 1970-01-01 UTC.
pub(super) fn date_time_to_epoch(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("dateTimeToEpoch", args, 1, 1)?;
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let s = str_arg("dateTimeToEpoch", args, 0)?;
    let at = match date_arg("dateTimeToEpoch", s, cx)? {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    if at.ticks != 0 {
        return unknown(
            "amlint does not round fractions of a second to epoch seconds",
            cx,
        );
    }
    Ok(Value::int(at.seconds, cx.span))
}

/// `dateTimeAdd(base, duration, format)`.
pub(super) fn date_time_add(args: &[Value], cx: &FnCtx) -> FnResult {
    arity("dateTimeAdd", args, 2, 3)?;
    for (i, a) in args.iter().enumerate() {
        if !a.is_unknown() && a.as_str().is_none() {
            return type_error("dateTimeAdd", i, "a string", a);
        }
    }
    if let Some(u) = first_unknown(args) {
        return unknown_from(u, cx);
    }
    let base = str_arg("dateTimeAdd", args, 0)?;
    let duration = str_arg("dateTimeAdd", args, 1)?;
    let at = match date_arg("dateTimeAdd", base, cx)? {
        Ok(i) => i,
        Err(v) => return Ok(v),
    };
    if hole::has_hole(duration) {
        return hole_unknown(duration, cx);
    }
    let delta = match parse_duration(duration) {
        Duration::Seconds(n) => n,
        Duration::Calendar => {
            return unknown("amlint does not add years or months to dates", cx);
        }
        Duration::Invalid => {
            return fail(format!(
                "`dateTimeAdd` duration `{duration}` is not an ISO 8601 duration"
            ))
        }
    };
    let Some(seconds) = at
        .seconds
        .checked_add(delta)
        .filter(|t| (MIN_SECONDS..=MAX_SECONDS).contains(t))
    else {
        return fail("`dateTimeAdd` result is outside years 1 to 9999");
    };
    let Some(format) = args.get(2).and_then(Value::as_str) else {
        return unknown(
            "the output format of `dateTimeAdd` without a format is not documented exactly",
            cx,
        );
    };
    if hole::has_hole(format) {
        return hole_unknown(format, cx);
    }
    match format_date(seconds, at.ticks, format) {
        Some(out) => Ok(Value::str(out, cx.span)),
        None => unknown(
            format!("amlint does not apply the date format `{format}`"),
            cx,
        ),
    }
}

/// What an ISO 8601 duration adds.
enum Duration {
    Seconds(i64),
    /// It has years or months.
    Calendar,
    Invalid,
}

/// Reads `[-]P[nW][nD][T[nH][nM][nS]]`.
fn parse_duration(s: &str) -> Duration {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, s),
    };
    let Some(mut rest) = rest.strip_prefix('P') else {
        return Duration::Invalid;
    };
    let mut total: i64 = 0;
    let mut in_time = false;
    let mut any = false;
    let mut calendar = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            if in_time {
                return Duration::Invalid;
            }
            in_time = true;
            rest = r;
            continue;
        }
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Some(unit) = rest[digits..].chars().next() else {
            return Duration::Invalid;
        };
        let Ok(n) = rest[..digits].parse::<i64>() else {
            return Duration::Invalid;
        };
        let per = match (in_time, unit) {
            (false, 'Y' | 'M') => {
                calendar = true;
                0
            }
            (false, 'W') => 7 * DAY,
            (false, 'D') => DAY,
            (true, 'H') => 3600,
            (true, 'M') => 60,
            (true, 'S') => 1,
            _ => return Duration::Invalid,
        };
        let Some(t) = n.checked_mul(per).and_then(|x| total.checked_add(x)) else {
            return Duration::Invalid;
        };
        total = t;
        any = true;
        rest = &rest[digits + unit.len_utf8()..];
    }
    match (any, calendar) {
        (false, _) => Duration::Invalid,
        (true, true) => Duration::Calendar,
        (true, false) => Duration::Seconds(sign * total),
    }
}

/// A date-time under a .NET format: `o`, `s`, `u`, or a custom format of `yyyy`, `MM`, `dd`,
/// `HH`, `mm`, `ss` and the separators `-:/. TZ`. `None` for anything else.
fn format_date(t: i64, ticks: u32, format: &str) -> Option<String> {
    let (y, mo, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    let (h, mi, sec) = (s / 3600, s / 60 % 60, s % 60);
    let custom = match format {
        "o" | "O" => return Some(format!("{}.{ticks:07}Z", &format_iso(t)[..19])),
        "s" => "yyyy-MM-ddTHH:mm:ss",
        "u" => "yyyy-MM-dd HH:mm:ssZ",
        f => f,
    };
    let mut out = String::new();
    let mut rest = custom;
    while !rest.is_empty() {
        let token = ["yyyy", "MM", "dd", "HH", "mm", "ss"]
            .into_iter()
            .find(|tk| rest.starts_with(tk));
        match token {
            Some(tk) => {
                let v = match tk {
                    "yyyy" => format!("{y:04}"),
                    "MM" => format!("{mo:02}"),
                    "dd" => format!("{d:02}"),
                    "HH" => format!("{h:02}"),
                    "mm" => format!("{mi:02}"),
                    _ => format!("{sec:02}"),
                };
                // A longer run of the same letter is another token.
                let next = rest[tk.len()..].chars().next();
                if next == tk.chars().next() {
                    return None;
                }
                out.push_str(&v);
                rest = &rest[tk.len()..];
            }
            None => {
                let c = rest.chars().next()?;
                if !"-:/. TZ".contains(c) {
                    return None;
                }
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::*;

    #[test]
    fn epoch_follows_the_docs() {
        // template-functions-date.md: 1683040573 is 2023-05-02T15:16:13Z.
        assert_str(
            call("datetimefromepoch", &[i(1683040573)]),
            "2023-05-02T15:16:13Z",
        );
        assert_int(
            call("datetimetoepoch", &[s("2023-05-02T15:16:13Z")]),
            1683040573,
        );
        assert_int(
            call("datetimetoepoch", &[s("2023-05-02T17:16:13+02:00")]),
            1683040573,
        );
        assert_str(call("datetimefromepoch", &[i(0)]), "1970-01-01T00:00:00Z");
        assert_str(call("datetimefromepoch", &[i(-1)]), "1969-12-31T23:59:59Z");
        assert_int(
            call("datetimetoepoch", &[s("2000-02-29T00:00:00Z")]),
            951782400,
        );
    }

    #[test]
    fn epoch_errors_and_unknowns() {
        assert_is_err(call("datetimefromepoch", &[i(i64::MAX)]));
        assert_is_err(call("datetimefromepoch", &[s("1")]));
        assert_err(
            call("datetimetoepoch", &[s("2023-02-30T00:00:00Z")]),
            "`dateTimeToEpoch` argument `2023-02-30T00:00:00Z` is not an ISO 8601 date-time",
        );
        assert_unknown(
            call("datetimetoepoch", &[s("2023-05-02T15:16:13")]),
            "`2023-05-02T15:16:13` has no UTC offset; .NET reads it in the server's time zone",
        );
        assert!(call("datetimetoepoch", &[s("2023-05-02T15:16:13.5Z")])
            .unwrap()
            .is_unknown());
        assert_unknown(call("datetimefromepoch", &[u("why")]), "why");
        assert_unknown(
            call("utcnow", &[]),
            "`utcNow()` is only known at deployment",
        );
        assert_unknown(
            call("utcnow", &[s("u")]),
            "`utcNow()` is only known at deployment",
        );
        assert_is_err(call("utcnow", &[s("u"), s("x")]));
    }

    #[test]
    fn date_time_add_adds_exact_durations() {
        // template-functions-date.md: base 2020-04-07 14:53:14Z minus 9 days, plus 1 hour.
        let base = s("2020-04-07T14:53:14Z");
        assert_str(
            call("datetimeadd", &[base.clone(), s("-P9D"), s("s")]),
            "2020-03-29T14:53:14",
        );
        assert_str(
            call("datetimeadd", &[base.clone(), s("PT1H"), s("u")]),
            "2020-04-07 15:53:14Z",
        );
        assert_str(
            call(
                "datetimeadd",
                &[base.clone(), s("P1WT30M"), s("yyyy-MM-ddTHH:mm:ssZ")],
            ),
            "2020-04-14T15:23:14Z",
        );
        assert_str(
            call("datetimeadd", &[base.clone(), s("PT0S"), s("o")]),
            "2020-04-07T14:53:14.0000000Z",
        );
        assert_unknown(
            call("datetimeadd", &[base.clone(), s("P3Y"), s("s")]),
            "amlint does not add years or months to dates",
        );
        assert_unknown(
            call("datetimeadd", &[base.clone(), s("PT1H")]),
            "the output format of `dateTimeAdd` without a format is not documented exactly",
        );
        assert_unknown(
            call("datetimeadd", &[base.clone(), s("PT1H"), s("MMM d")]),
            "amlint does not apply the date format `MMM d`",
        );
        assert_err(
            call("datetimeadd", &[base.clone(), s("1 hour"), s("s")]),
            "`dateTimeAdd` duration `1 hour` is not an ISO 8601 duration",
        );
        assert_is_err(call("datetimeadd", &[base.clone(), s("P"), s("s")]));
        assert_is_err(call("datetimeadd", &[i(1), s("PT1H")]));
        assert_unknown(call("datetimeadd", &[u("why"), s("PT1H")]), "why");
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 59, 60, 365, 11_016, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }
}
