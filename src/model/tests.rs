/// A look-up through the directory finds exactly the entries a scan of the table finds, for
/// tables of every size, hashes at the extremes and hashes shared by several entries.
#[test]
fn key_table_finds_what_a_scan_finds() {
    let mut hashes: Vec<u64> = vec![0, 1, u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        hashes.push(x);
    }
    for len in [0, 1, 3, 4, 7, 16, 17, 100, 306] {
        let mut entries: Vec<(u64, u32)> = hashes[..len.min(hashes.len())]
            .iter()
            .enumerate()
            .map(|(i, &h)| (h, i as u32))
            .collect();
        // Shared hashes: every third entry again, under another value.
        let again: Vec<(u64, u32)> = entries
            .iter()
            .step_by(3)
            .map(|&(h, i)| (h, i + 1000))
            .collect();
        entries.extend(again);
        let table = super::KeyTable::new(entries.clone());
        for probe in hashes.iter().copied().chain([2, 12345, u64::MAX - 2]) {
            let mut want: Vec<(u64, u32)> = entries
                .iter()
                .copied()
                .filter(|(h, _)| *h == probe)
                .collect();
            want.sort_unstable();
            assert_eq!(
                table.by_hash(probe),
                want.as_slice(),
                "len {len}, hash {probe:#x}"
            );
        }
    }
    assert!(super::KeyTable::<u32>::default().by_hash(7).is_empty());
}

/// A property path reads under `properties` whatever its length, on the stack or not.
#[test]
fn entity_properties_are_read_under_properties_at_any_depth() {
    use crate::arm::value::{Tri, Value};
    use crate::source::Span;
    let keys: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
    let mut nested = serde_json::json!("leaf");
    for k in keys.iter().rev() {
        nested = serde_json::json!({ k.as_str(): nested });
    }
    let body = Value::from_serde(&serde_json::json!({ "properties": nested }), Span::NONE);
    let e = super::Entity {
        unit: super::UnitId(0),
        full_type: "A.B/c".into(),
        name: Value::str("n", Span::NONE),
        id: None,
        span: Span::NONE,
        name_span: Span::NONE,
        condition: Tri::Known(true),
        body,
    };
    for depth in 1..=keys.len() {
        let path: Vec<&str> = keys[..depth].iter().map(String::as_str).collect();
        let mut full = vec!["properties"];
        full.extend(&path);
        let want = super::Field::at(&e.body, &full);
        assert_eq!(
            format!("{:?}", e.prop(&path)),
            format!("{want:?}"),
            "depth {depth}"
        );
        assert_eq!(
            format!("{:?}", e.reference(&path)),
            format!("{:?}", super::Field::reference(&e.body, &full)),
            "depth {depth}"
        );
        let found = e.prop(&path).value().cloned();
        match depth < keys.len() {
            true => assert!(
                found.is_some_and(|v| v.as_object().is_some()),
                "depth {depth}"
            ),
            false => assert_eq!(found.as_ref().and_then(Value::as_str), Some("leaf")),
        }
    }
}
