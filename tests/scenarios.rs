//! Multi-file scenarios under `fixtures/scenarios/`, through the real binary: what each one reports,
//! for which resource, in both output formats.

mod common;

use common::{amlint, code, stdout};
use serde_json::Value;

const FORCED_TUNNEL: &str = "fixtures/scenarios/forced-tunnel";
const PRIVATE_WORKSPACE: &str = "fixtures/scenarios/private-workspace";

/// The human report, without colour.
fn human(dir: &str) -> (i32, String) {
    let o = amlint()
        .args(["--color", "never", dir])
        .output()
        .expect("amlint runs");
    (code(&o), stdout(&o))
}

/// The JSON report, as bytes users get and parsed.
fn json(dir: &str) -> (i32, String, Value) {
    let o = amlint()
        .args(["--format", "json", dir])
        .output()
        .expect("amlint runs");
    let text = stdout(&o);
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (code(&o), text, report)
}

fn diagnostics(report: &Value) -> &Vec<Value> {
    report["diagnostics"].as_array().expect("diagnostics")
}

/// `(code, resource name)` of each diagnostic, in report order.
fn findings(report: &Value) -> Vec<(String, String)> {
    diagnostics(report)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["resource"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, r)| ((*c).to_owned(), (*r).to_owned()))
        .collect()
}

/// The one diagnostic with this code for this resource.
fn finding<'r>(report: &'r Value, code: &str, resource: &str) -> &'r Value {
    let hits: Vec<&Value> = diagnostics(report)
        .iter()
        .filter(|d| d["code"] == code && d["resource"]["name"] == resource)
        .collect();
    assert_eq!(hits.len(), 1, "{code} for {resource}: {hits:?}");
    hits[0]
}

fn related_files(d: &Value) -> Vec<&str> {
    d["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect()
}

#[test]
fn forced_tunnel_human_report() {
    let (status, text) = human(FORCED_TUNNEL);
    assert_eq!(status, 1);
    insta::assert_snapshot!(text);
}

#[test]
fn forced_tunnel_json_report() {
    let (status, text, _) = json(FORCED_TUNNEL);
    assert_eq!(status, 1);
    insta::assert_snapshot!(text);
}

#[test]
fn forced_tunnel_reports_the_asymmetric_route_and_the_blocked_outbound() {
    let (_, _, report) = json(FORCED_TUNNEL);
    assert_eq!(
        findings(&report),
        pairs(&[
            ("AML202", "mlw-spoke/cpu-public"),
            ("AML204", "mlw-spoke/cpu-public"),
            ("AML204", "mlw-spoke/cpu-private"),
        ]),
        "the public cluster's replies take the asymmetric path; the NSG blocks both clusters; \
         the private cluster reaches the internet through the hub firewall (no AML201), and the \
         inbound rules, the private endpoint and the cross-file route table are in order"
    );

    // The forced tunnel is in the hub's route table, another file than the compute.
    let asymmetric = finding(&report, "AML202", "mlw-spoke/cpu-public");
    assert_eq!(
        asymmetric["file"],
        "fixtures/scenarios/forced-tunnel/spoke.json"
    );
    assert!(
        related_files(asymmetric).contains(&"fixtures/scenarios/forced-tunnel/hub.json"),
        "{asymmetric}"
    );
    let message = asymmetric["message"].as_str().unwrap();
    assert!(
        message.contains("`rt-spoke-ml`") && message.contains("`VirtualAppliance`"),
        "{message}"
    );

    // One AML204 per compute, listing every blocked requirement and none of the allowed ones.
    for compute in ["mlw-spoke/cpu-public", "mlw-spoke/cpu-private"] {
        let blocked = finding(&report, "AML204", compute);
        let message = blocked["message"].as_str().unwrap();
        for need in [
            "TCP 18881 to `AzureMachineLearning`",
            "UDP 5831 to `AzureMachineLearning`",
            "TCP 443 to `BatchNodeManagement.westeurope`",
            "TCP 443 to `AzureResourceManager`",
            "TCP 443 to `Storage.westeurope`",
            "TCP 443 to `AzureFrontDoor.FrontEnd`",
            "TCP 443 to `MicrosoftContainerRegistry.westeurope`",
        ] {
            assert!(message.contains(need), "{compute}: {need} in {message}");
        }
        for allowed in [
            "to `AzureActiveDirectory`",
            "TCP 443 to `AzureMachineLearning`",
        ] {
            assert!(
                !message.contains(allowed),
                "{compute}: {allowed} in {message}"
            );
        }
        let related: Vec<&str> = blocked["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"].as_str().unwrap())
            .collect();
        assert!(
            related
                .iter()
                .any(|m| m.starts_with("rule `DenyInternetOutbound` (priority 4000) denies")),
            "{related:?}"
        );
    }
    assert_eq!(report["summary"]["files"], 2);
    assert_eq!(report["summary"]["templates"], 2);
    assert_eq!(report["summary"]["errors"], 3);
}

#[test]
fn private_workspace_human_report() {
    let (status, text) = human(PRIVATE_WORKSPACE);
    assert_eq!(status, 1);
    insta::assert_snapshot!(text);
}

#[test]
fn private_workspace_json_report() {
    let (status, text, _) = json(PRIVATE_WORKSPACE);
    assert_eq!(status, 1);
    insta::assert_snapshot!(text);
}

#[test]
fn private_workspace_reports_the_unreachable_and_the_managed_workspace() {
    let (_, _, report) = json(PRIVATE_WORKSPACE);
    assert_eq!(
        findings(&report),
        pairs(&[
            ("AML305", "mlw-orphan"),
            ("AML306", "mlw-managed"),
            ("AML304", "mlw-managed"),
            ("AML301", "mlw-managed/cpu-cluster"),
        ]),
        "mlw-private's private endpoint is in endpoints.json, so only mlw-orphan is unreachable; \
         mlw-managed keeps public network access"
    );
    // The parameter file pairs with workspace.json and changes the data lake the rule names.
    for d in diagnostics(&report) {
        assert_eq!(
            d["file"], "fixtures/scenarios/private-workspace/workspace.json",
            "{d}"
        );
        assert_eq!(
            d["parameters_file"], "fixtures/scenarios/private-workspace/workspace.parameters.json",
            "{d}"
        );
    }
    let storage = finding(&report, "AML304", "mlw-managed");
    let message = storage["message"].as_str().unwrap();
    assert!(
        message.contains("`dlsmlprod.dfs.core.windows.net`"),
        "the parameter file's data lake, not the default `dlsmldev`: {message}"
    );
    let subnet = finding(&report, "AML301", "mlw-managed/cpu-cluster");
    assert!(
        subnet["message"]
            .as_str()
            .unwrap()
            .contains("`AllowOnlyApprovedOutbound`"),
        "{subnet}"
    );
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["templates"], 2);
    assert_eq!(report["summary"]["errors"], 2);
    assert_eq!(report["summary"]["warnings"], 1);
}

#[test]
fn private_workspace_needs_the_network_teams_file() {
    // Without endpoints.json, mlw-private has no private endpoint in the inputs either.
    let o = amlint()
        .args([
            "--format",
            "json",
            "--select",
            "AML305",
            &format!("{PRIVATE_WORKSPACE}/workspace.json"),
            &format!("{PRIVATE_WORKSPACE}/workspace.parameters.json"),
        ])
        .output()
        .expect("amlint runs");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        findings(&report),
        pairs(&[("AML305", "mlw-private"), ("AML305", "mlw-orphan")])
    );
}
