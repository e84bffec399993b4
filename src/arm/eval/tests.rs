use super::*;
use crate::arm::hole;
use crate::arm::value::KindRef;
use crate::parse;

fn run_with(template: &str, params: Option<&str>) -> Evaluated {
    let arena = parse::Arena::new();
    let ast = parse::parse(template, &arena).expect("template parses");
    let pv = params.map(|p| {
        let past = parse::parse(p, &arena).expect("parameters parse");
        parameter_values(FileId(1), &past)
    });
    let wanted = |_: &str| true;
    evaluate(&EvalInput {
        file: FileId(0),
        unit: 7,
        template: &ast,
        parameters: pv.as_ref(),
        wanted: &wanted,
    })
}

fn run(template: &str) -> Evaluated {
    run_with(template, None)
}

fn find<'e>(ev: &'e Evaluated, name: &str) -> &'e EvalResource {
    ev.resources
        .iter()
        .find(|r| r.name.as_str().map(|n| hole::display(n)) == Some(name.into()))
        .unwrap_or_else(|| panic!("no resource `{name}` in {:#?}", names(ev)))
}

fn names(ev: &Evaluated) -> Vec<String> {
    ev.resources.iter().map(|r| r.name.display()).collect()
}

fn prop<'e>(r: &'e EvalResource, path: &[&str]) -> &'e Value {
    let body = r.body.as_ref().expect("body evaluated");
    let mut keys = vec!["properties"];
    keys.extend_from_slice(path);
    body.path(&keys)
        .unwrap_or_else(|| panic!("no {path:?} in {}", body.display()))
}

fn messages(ev: &Evaluated) -> Vec<&str> {
    ev.problems.iter().map(|p| p.message.as_str()).collect()
}

const SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";

fn template(body: &str) -> String {
    format!(r#"{{"$schema": "{SCHEMA}", "contentVersion": "1.0.0.0", {body}}}"#)
}

#[test]
fn parameters_variables_and_resource_ids() {
    let t = template(
        r#""parameters": {"vnet": {"type": "string", "defaultValue": "net1"}},
        "variables": {"prefix": "[concat('10.0', '.0.0/16')]", "snet": "[concat(parameters('vnet'), '-a')]"},
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-05-01",
            "name": "[parameters('vnet')]",
            "properties": {"addressSpace": {"addressPrefixes": ["[variables('prefix')]"]}}
        }]"#,
    );
    let ev = run(&t);
    let vnet = find(&ev, "net1");
    assert_eq!(&*vnet.full_type, "Microsoft.Network/virtualNetworks");
    let id = vnet.id.as_str().unwrap();
    assert!(
        id.ends_with("/providers/Microsoft.Network/virtualNetworks/net1"),
        "{id}"
    );
    assert!(
        hole::has_hole(id),
        "subscription and resource group are holes"
    );
    // `concat` comes from the function library; until it evaluates, the value is unknown, never wrong.
    let prefix = prop(vnet, &["addressSpace", "addressPrefixes"])
        .as_array()
        .unwrap()[0]
        .clone();
    assert!(prefix.as_str() == Some("10.0.0.0/16") || prefix.is_unknown());
    assert!(ev.problems.is_empty(), "{:?}", messages(&ev));
}

#[test]
fn parameter_file_values_override_defaults_and_undeclared_ones_are_problems() {
    let t = template(
        r#""parameters": {"publicIp": {"type": "bool", "defaultValue": true}},
        "resources": [{"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01",
            "name": "ws/cpu", "properties": {"properties": {"enableNodePublicIp": "[parameters('publicIp')]"}}}]"#,
    );
    let ev = run(&t);
    assert_eq!(
        prop(find(&ev, "ws/cpu"), &["properties", "enableNodePublicIp"]).as_bool(),
        Some(true)
    );
    let p = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0", "parameters": {"publicIp": {"value": false}, "extra": {"value": 1}}}"#;
    let ev = run_with(&t, Some(p));
    let v = prop(find(&ev, "ws/cpu"), &["properties", "enableNodePublicIp"]);
    assert_eq!(v.as_bool(), Some(false));
    assert_eq!(
        v.span().file,
        FileId(0),
        "the property keeps the template's span"
    );
    assert_eq!(
        messages(&ev),
        ["parameter `extra` is not declared in the template; ARM rejects the deployment"]
    );
    assert_eq!(ev.problems[0].span.file, FileId(1));
}

#[test]
fn string_parameter_without_value_is_a_hole_that_links_names() {
    let t = template(
        r#""parameters": {"vnetName": {"type": "string"}, "count": {"type": "int"}},
        "resources": [
          {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-05-01", "name": "[parameters('vnetName')]",
           "properties": {"subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}}]}},
          {"type": "Microsoft.Network/routeTables", "apiVersion": "2023-05-01", "name": "rt",
           "properties": {"x": "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnetName'), 'a')]",
                          "n": "[parameters('count')]"}}
        ]"#,
    );
    let ev = run(&t);
    let vnet = &ev.resources[0];
    let name = vnet.name.as_str().unwrap();
    assert_eq!(hole::display(name), "{vnetName}");
    let rt = find(&ev, "rt");
    let sid = prop(rt, &["x"]).as_str().unwrap();
    assert!(
        sid.starts_with(vnet.id.as_str().unwrap()),
        "{sid} under {}",
        vnet.id.as_str().unwrap()
    );
    let n = prop(rt, &["n"]);
    assert_eq!(
        n.as_unknown().unwrap().reason,
        "parameter `count` has no value"
    );
}

#[test]
fn resource_property_and_variable_copy_loops() {
    let t = template(
        r#""variables": {"copy": [{"name": "ports", "count": 3, "input": "[copyIndex('ports', 100)]"}]},
        "resources": [{
            "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-05-01",
            "name": "[format('nsg{0}', copyIndex())]",
            "copy": {"name": "nsgs", "count": 2},
            "properties": {
              "copy": [{"name": "securityRules", "count": 2, "input": {
                 "name": "[copyIndex('securityRules')]",
                 "properties": {"priority": "[variables('ports')[copyIndex('securityRules')]]", "outer": "[copyIndex('nsgs')]"}}}]
            }
        }]"#,
    );
    let ev = run(&t);
    assert_eq!(ev.resources.len(), 2);
    assert_eq!(ev.resources[1].copy_index, Some(1));
    let rules = ev.resources[1]
        .body
        .as_ref()
        .unwrap()
        .path(&["properties", "securityRules"])
        .unwrap();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1].path(&["name"]).unwrap().as_int(), Some(1));
    assert_eq!(
        rules[1].path(&["properties", "priority"]).unwrap().as_int(),
        Some(101)
    );
    assert_eq!(
        rules[0].path(&["properties", "outer"]).unwrap().as_int(),
        Some(1)
    );
    assert!(ev.problems.is_empty(), "{:?}", messages(&ev));
}

#[test]
fn conditions_drop_false_and_keep_unknown() {
    let t = template(
        r#""parameters": {"deploy": {"type": "bool"}, "no": {"type": "bool", "defaultValue": false}},
        "resources": [
          {"condition": "[parameters('no')]", "type": "Microsoft.Network/natGateways", "apiVersion": "2023-05-01", "name": "off"},
          {"condition": "[parameters('deploy')]", "type": "Microsoft.Network/natGateways", "apiVersion": "2023-05-01", "name": "maybe",
           "resources": [{"type": "child", "apiVersion": "1", "name": "c"}]}
        ]"#,
    );
    let ev = run(&t);
    assert_eq!(names(&ev), ["maybe", "maybe/c"]);
    assert!(matches!(ev.resources[0].condition, Tri::Unknown(_)));
    assert!(
        matches!(ev.resources[1].condition, Tri::Unknown(_)),
        "child inherits the unknown"
    );
    assert_eq!(
        &*ev.resources[1].full_type,
        "Microsoft.Network/natGateways/child"
    );
}

#[test]
fn copy_count_over_800_is_a_problem_and_not_expanded() {
    let t = template(
        r#""resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[string(copyIndex())]",
            "copy": {"name": "many", "count": 1000000000}}]"#,
    );
    let ev = run(&t);
    assert!(ev.resources.is_empty());
    assert_eq!(
        messages(&ev),
        ["copy count `1000000000` of `many` exceeds 800; ARM rejects it"]
    );
}

#[test]
fn cyclic_and_undeclared_names_are_problems() {
    let t = template(
        r#""variables": {"a": "[variables('b')]", "b": "[variables('a')]"},
        "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n",
            "properties": {"x": "[variables('a')]", "y": "[parameters('missing')]", "z": "[nope(1)]", "w": "[concat('a']"}}]"#,
    );
    let ev = run(&t);
    let m = messages(&ev);
    assert!(
        m.contains(&"variable `a` depends on itself (a → b → a); ARM rejects the template"),
        "{m:?}"
    );
    assert!(m.contains(&"parameter `missing` is not declared"), "{m:?}");
    assert!(m.contains(&"`nope` is not a template function"), "{m:?}");
    assert!(
        m.iter()
            .any(|x| x.starts_with("invalid template expression")),
        "{m:?}"
    );
    let n = find(&ev, "n");
    assert!(prop(n, &["x"]).is_unknown());
    // Each problem once, even though validation and evaluation both see it.
    let mut sorted = m.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), m.len());
}

#[test]
fn evaluations_of_one_template_share_the_checks_of_the_root_template() {
    // A second parameter file: the root template is not checked again, yet the evaluation
    // reports the same problems, and values that depend on parameters differ.
    // The nested template (inner scope) is checked by each evaluation on its own.
    let t = template(
        r#""parameters": {"p": {"type": "string"}},
        "variables": {"a": "[variables('b')]", "b": "[variables('a')]"},
        "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[parameters('p')]",
            "properties": {"y": "[parameters('missing')]", "z": "[nope(1)]", "w": "[concat('a']"}},
          {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
           "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
             "template": {"$schema": "x", "contentVersion": "1.0.0.0",
               "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n2",
                 "properties": {"v": "[concat('b']"}}]}}}]"#,
    );
    let arena = parse::Arena::new();
    let ast = parse::parse(&t, &arena).expect("template parses");
    let wanted = |_: &str| true;
    let files: Vec<(u32, &str, ParameterValues)> = [(1, "one"), (2, "two")]
        .into_iter()
        .map(|(unit, name)| {
            let text = format!(r#"{{"parameters": {{"p": {{"value": "{name}"}}}}}}"#);
            let arena = parse::Arena::new();
            let past = parse::parse(&text, &arena).expect("parameters parse");
            (unit, name, parameter_values(FileId(1), &past))
        })
        .collect();
    let mut cache = TemplateCache::default();
    let mut results = Vec::new();
    for (unit, name, pv) in &files {
        let input = EvalInput {
            file: FileId(0),
            unit: *unit,
            template: &ast,
            parameters: Some(pv),
            wanted: &wanted,
        };
        let shared = evaluate_cached(&input, &mut cache);
        let alone = evaluate(&input);
        assert_eq!(shared.problems, alone.problems, "unit {unit}");
        assert_eq!(names(&shared)[0], *name);
        results.push(shared);
    }
    let m = messages(&results[1]);
    assert_eq!(m.len(), 5, "{m:?}");
    assert_eq!(
        m.iter()
            .filter(|x| x.starts_with("invalid template expression"))
            .count(),
        2,
        "{m:?}"
    );
    assert!(cache.root_problems.is_some());
}

#[test]
fn long_variable_chains_stop_without_overflowing_the_stack() {
    let vars: Vec<String> = (0..5000)
        .map(|i| format!(r#""v{i}": "[variables('v{}')]""#, i + 1))
        .chain(std::iter::once(r#""v5000": 1"#.to_owned()))
        .collect();
    let t = template(&format!(
        r#""variables": {{{}}}, "resources": [{{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n", "properties": {{"x": "[variables('v0')]"}}}}]"#,
        vars.join(",")
    ));
    let ev = run(&t);
    assert!(prop(find(&ev, "n"), &["x"]).is_unknown());
    assert!(messages(&ev).iter().any(|m| m.contains("nests deeper")));
}

#[test]
fn nested_deployment_inner_scope_parameters_and_outputs() {
    let t = template(
        r#""parameters": {"vnetName": {"type": "string", "defaultValue": "hub"}},
        "resources": [
          {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "network",
           "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
             "parameters": {"name": {"value": "[parameters('vnetName')]"}},
             "template": {"$schema": "x", "contentVersion": "1.0.0.0",
               "parameters": {"name": {"type": "string", "defaultValue": "wrong"}},
               "resources": [{"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-05-01",
                   "name": "[format('{0}/{1}', parameters('name'), 'train')]", "properties": {"natGateway": {"id": "x"}}}],
               "outputs": {"subnetId": {"type": "string",
                   "value": "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('name'), 'train')]"}}}}},
          {"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu",
           "properties": {"properties": {"subnet": {"id": "[reference(resourceId('Microsoft.Resources/deployments', 'network'), '2022-09-01').outputs.subnetId.value]"}}}}
        ]"#,
    );
    let ev = run(&t);
    let subnet = ev
        .resources
        .iter()
        .find(|r| &*r.full_type == "Microsoft.Network/virtualNetworks/subnets")
        .expect("the nested template's subnet is a resource of the unit");
    assert_eq!(subnet.deployments.len(), 1);
    let compute = find(&ev, "ws/cpu");
    let sid = prop(compute, &["properties", "subnet", "id"]);
    // With `format` evaluated the name is `hub/train`; the link must hold either way.
    if let (Some(id), Some(sub_id)) = (sid.as_str(), subnet.id.as_str()) {
        assert_eq!(id, sub_id);
        assert!(id.ends_with("/virtualNetworks/hub/subnets/train"));
    }
}

#[test]
fn outer_scope_nested_templates_see_the_parent_variables() {
    let t = template(
        r#""variables": {"n": "from-parent"},
        "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outer",
           "properties": {"mode": "Incremental", "template": {"$schema": "x", "contentVersion": "1.0.0.0",
             "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[variables('n')]"}]}}}]"#,
    );
    let ev = run(&t);
    find(&ev, "from-parent");
    assert!(ev.problems.is_empty(), "{:?}", messages(&ev));
}

#[test]
fn symbolic_resources_existing_and_runtime_properties() {
    let t = r#"{"$schema": "x", "languageVersion": "2.0", "contentVersion": "1.0.0.0",
        "resources": {
          "fw": {"type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-05-01", "name": "fw1",
                 "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": "s"}}}]}},
          "old": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-05-01", "name": "legacy"},
          "rt": {"type": "Microsoft.Network/routeTables", "apiVersion": "2023-05-01", "name": "rt",
                 "properties": {"routes": [{"name": "default", "properties": {"addressPrefix": "0.0.0.0/0",
                    "nextHopType": "VirtualAppliance",
                    "nextHopIpAddress": "[reference('fw').ipConfigurations[0].properties.privateIPAddress]"}}],
                    "legacy": "[reference('old').addressSpace]",
                    "info": "[resourceInfo('fw').name]"}}
        }}"#;
    let ev = run(t);
    assert!(ev
        .resources
        .iter()
        .any(|r| r.existing && r.symbolic.as_deref() == Some("old")));
    let rt = find(&ev, "rt");
    let hop = prop(rt, &["routes"]).as_array().unwrap()[0]
        .path(&["properties", "nextHopIpAddress"])
        .unwrap();
    let u = hop.as_unknown().expect("runtime property");
    assert_eq!(
        u.reason,
        "`privateIPAddress` is a runtime property of `fw1`"
    );
    assert!(u
        .resource
        .as_deref()
        .unwrap()
        .ends_with("/azureFirewalls/fw1"));
    assert!(prop(rt, &["legacy"])
        .as_unknown()
        .unwrap()
        .reason
        .contains("declares `existing`"));
    assert_eq!(prop(rt, &["info"]).as_str(), Some("fw1"));
}

#[test]
fn user_functions_and_lambdas() {
    let t = template(
        r#""functions": [{"namespace": "net", "members": {"tag": {"parameters": [{"name": "x", "type": "string"}],
            "output": {"type": "string", "value": "[parameters('x')]"}}}}],
        "parameters": {"rules": {"type": "array", "defaultValue": [{"p": 300}, {"p": 100}, {"p": 200}]}},
        "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[net.tag('n')]",
           "properties": {
             "mapped": "[map(parameters('rules'), lambda('r', lambdaVariables('r').p))]",
             "sorted": "[sort(parameters('rules'), lambda('a', 'b', lambdaVariables('a').p < lambdaVariables('b').p))]",
             "obj": "[toObject(parameters('rules'), lambda('r', 'k'), lambda('r', lambdaVariables('r').p))]"
           }}]"#,
    );
    let ev = run(&t);
    let n = find(&ev, "n");
    let mapped: Vec<_> = prop(n, &["mapped"])
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_int())
        .collect();
    assert_eq!(mapped, [Some(300), Some(100), Some(200)]);
    // `<` is not ARM syntax: the expression is invalid, reported, and unknown.
    assert!(prop(n, &["sorted"]).is_unknown());
    assert!(messages(&ev)
        .iter()
        .any(|m| m.starts_with("invalid template expression")));
    assert_eq!(
        prop(n, &["obj"]).get("k").and_then(Value::as_int),
        Some(200)
    );
}

#[test]
fn subscription_scope_templates_and_resource_group_modules() {
    let t = r#"{"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
          {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01", "name": "rg-ml", "location": "westeurope"},
          {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "net", "resourceGroup": "rg-ml",
           "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
             "template": {"$schema": "x", "contentVersion": "1.0.0.0",
               "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[resourceGroup().name]"}]}}}
        ]}"#;
    let ev = run(t);
    let rg = find(&ev, "rg-ml");
    assert!(rg.id.as_str().unwrap().ends_with("/resourceGroups/rg-ml"));
    let nat = ev
        .resources
        .iter()
        .find(|r| &*r.full_type == "Microsoft.Network/natGateways")
        .unwrap();
    assert_eq!(nat.name.as_str(), Some("rg-ml"));
    assert!(nat
        .id
        .as_str()
        .unwrap()
        .contains("/resourceGroups/rg-ml/providers/"));
}

#[test]
fn only_wanted_bodies_are_evaluated() {
    let t = template(
        r#""resources": [
          {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "1", "name": "st", "properties": {"x": 1}},
          {"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n", "properties": {"x": 1}}]"#,
    );
    let ev = run_wanting_nat_gateways(&t);
    // Not wanted and not referred to: not even named, so not in the output.
    assert_eq!(names(&ev), ["n"]);
    assert!(matches!(
        find(&ev, "n").body.as_ref().unwrap().kind(),
        KindRef::Object(_)
    ));
}

/// Runs `template` wanting only the types `wanted` accepts (in lowercase).
fn run_wanting(template: &str, wanted: &dyn Fn(&str) -> bool) -> Evaluated {
    let arena = parse::Arena::new();
    let ast = parse::parse(template, &arena).unwrap();
    evaluate(&EvalInput {
        file: FileId(0),
        unit: 1,
        template: &ast,
        parameters: None,
        wanted,
    })
}

/// Runs `template` wanting only NAT gateways.
fn run_wanting_nat_gateways(template: &str) -> Evaluated {
    run_wanting(template, &|t| t == "microsoft.network/natgateways")
}

#[test]
fn unwanted_resources_are_named_when_something_looks_them_up() {
    // Storage accounts are not wanted: they are named only when `reference()` looks for them,
    // by ID (in a copy loop, with `copyIndex()` in the name) or by name.
    let t = template(
        r#""variables": {"prefix": "st"},
        "resources": [
          {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "1",
           "name": "[concat(variables('prefix'), copyIndex())]", "copy": {"name": "c", "count": 3}},
          {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "1", "name": "byname"},
          {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "1", "name": "unused"},
          {"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n", "properties": {
            "byId": "[reference(resourceId('Microsoft.Storage/storageAccounts', 'st1')).x]",
            "byName": "[reference('byname').x]",
            "missing": "[reference(resourceId('Microsoft.Storage/storageAccounts', 'st7')).x]"}}]"#,
    );
    let ev = run_wanting_nat_gateways(&t);
    let reason = |key: &str| {
        prop(find(&ev, "n"), &[key])
            .deep_unknown()
            .map(|u| u.reason.clone())
            .unwrap_or_default()
    };
    assert!(reason("byId").contains("of `st1`"), "{}", reason("byId"));
    assert!(
        reason("byName").contains("of `byname`"),
        "{}",
        reason("byName")
    );
    assert!(
        reason("missing").contains("does not declare"),
        "{}",
        reason("missing")
    );
    // Looking `st1` up by ID named the storage accounts (all three iterations), and looking
    // `byname` up by name named every resource of the context; they are in the output, with
    // their IDs.
    let mut named = names(&ev);
    named.sort();
    assert_eq!(named, ["byname", "n", "st0", "st1", "st2", "unused"]);
    assert!(find(&ev, "st2")
        .id
        .as_str()
        .is_some_and(|id| id.ends_with("/providers/Microsoft.Storage/storageAccounts/st2")));
}

#[test]
fn unwanted_resources_referred_to_by_id_only_are_named_by_type() {
    // Looking a storage account up by ID names the storage accounts, not the key vault.
    let t = template(
        r#""resources": [
          {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "1", "name": "st"},
          {"type": "Microsoft.KeyVault/vaults", "apiVersion": "1", "name": "kv"},
          {"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n", "properties": {
            "x": "[reference(resourceId('Microsoft.Storage/storageAccounts', 'st')).x]"}}]"#,
    );
    let mut named = names(&run_wanting_nat_gateways(&t));
    named.sort();
    assert_eq!(named, ["n", "st"]);
}

#[test]
fn a_wanted_child_of_an_unwanted_parent_has_the_parent_s_name() {
    // A child declared inside its parent: the parent (not wanted) is named for the child.
    let t = template(
        r#""parameters": {"p": {"type": "string", "defaultValue": "outer"}},
        "resources": [
          {"type": "Microsoft.Network/virtualNetworkTaps", "apiVersion": "1",
           "name": "[parameters('p')]", "resources": [
             {"type": "natGateways", "apiVersion": "1", "name": "inner"}]}]"#,
    );
    let ev = run_wanting(&t, &|t| {
        t == "microsoft.network/virtualnetworktaps/natgateways"
    });
    let mut named = names(&ev);
    named.sort();
    assert_eq!(named, ["outer", "outer/inner"]);
    assert!(find(&ev, "outer/inner")
        .id
        .as_str()
        .is_some_and(|id| id.ends_with("/virtualNetworkTaps/outer/natGateways/inner")));
}

#[test]
fn nullable_user_defined_types_default_to_null() {
    let t = r##"{"$schema": "x", "languageVersion": "2.0", "contentVersion": "1.0.0.0",
        "definitions": {"settings": {"type": "object", "nullable": true}, "alias": {"$ref": "#/definitions/settings"}},
        "parameters": {"s": {"$ref": "#/definitions/alias"}, "name": {"$ref": "#/definitions/str"}},
        "resources": {"n": {"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n",
            "properties": {"s": "[parameters('s')]"}}}}"##;
    let ev = run(t);
    assert!(
        prop(find(&ev, "n"), &[])
            .get("s")
            .is_none_or(Value::is_null),
        "null, so absent"
    );
}

#[test]
fn module_parameters_given_as_one_expression() {
    let t = template(
        r#""resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "m",
           "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
             "parameters": {"access": "[if(true(), createObject('value', 'Enabled'), createObject('value', 'Disabled'))]"},
             "template": {"$schema": "x", "contentVersion": "1.0.0.0",
               "parameters": {"access": {"type": "string"}},
               "resources": [{"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "[parameters('access')]"}]}}}]"#,
    );
    let ev = run(&t);
    find(&ev, "Enabled");
    assert!(ev.problems.is_empty(), "{:?}", messages(&ev));
}

#[test]
fn templates_sharing_expression_texts_each_get_their_own_results() {
    // The second and third evaluations find these texts already parsed by this thread: the
    // invalid one is still a problem in each template, the valid one still evaluates against
    // each template's own parameters.
    let body = |default: &str| {
        template(&format!(
            r#""parameters": {{"p": {{"type": "string", "defaultValue": "{default}"}}}},
            "resources": [{{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01",
              "name": "[concat(parameters('p'), '-vnet')]",
              "properties": {{"x": "[concat('a',]"}}}}]"#
        ))
    };
    for default in ["one", "two", "one"] {
        let ev = run(&body(default));
        assert_eq!(names(&ev), [format!("{default}-vnet")]);
        let m = messages(&ev);
        assert_eq!(
            m.iter()
                .filter(|x| x.starts_with("invalid template expression"))
                .count(),
            1,
            "{m:?}"
        );
    }
}

#[test]
fn the_shared_parse_table_is_bounded() {
    for i in 0..super::expression::SHARED_EXPRS_MAX + 10 {
        let text = format!("concat('{i}')");
        let e = super::expression::parse_shared(&text).expect("parses");
        assert_eq!(*e, crate::arm::expr::parse(&text).expect("parses"));
    }
    assert!(super::expression::shared_exprs_len() <= super::expression::SHARED_EXPRS_MAX);
}

#[test]
fn literal_strings_are_shared_across_templates_and_the_table_is_bounded() {
    let t = |name: &str| {
        template(&format!(
            r#""resources": [{{"type": "Microsoft.Network/natGateways", "apiVersion": "2023-04-01",
              "name": "{name}", "properties": {{"idleTimeoutInMinutes": 4, "tier": "Standard"}}}}]"#
        ))
    };
    let (a, b) = (run(&t("one")), run(&t("two")));
    let tier = |ev: &Evaluated| match prop(&ev.resources[0], &["tier"]).kind() {
        KindRef::Str(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    assert!(
        arcstr::ArcStr::ptr_eq(&tier(&a), &tier(&b)),
        "one `Standard` for both"
    );
    for i in 0..super::expression::SHARED_STRINGS_MAX + 10 {
        let text = format!("s{i}");
        assert_eq!(&*super::expression::intern_shared(&text), text);
    }
    let again = super::expression::intern_shared("Standard");
    assert_eq!(&*again, "Standard");
    // A string used once is counted (and freed with its last value); used again, it is static.
    let once = super::expression::intern_shared("used once, then again");
    assert!(!arcstr::ArcStr::is_static(&once));
    let again = super::expression::intern_shared("used once, then again");
    assert!(arcstr::ArcStr::ptr_eq(&once, &again));
    assert!(arcstr::ArcStr::is_static(&once) && arcstr::ArcStr::is_static(&again));
    // Texts of one length with the same first and last eight bytes share a slot of the recent
    // strings and differ only in the middle; short ones differ in their padding.
    for _ in 0..2 {
        for text in [
            "aaaaaaaaXbbbbbbbb",
            "aaaaaaaaYbbbbbbbb",
            "aaaaaaaa--XX--bbbbbbbb",
            "aaaaaaaa--YY--bbbbbbbb",
            "ab",
            "ab\0",
            "",
            "\0",
        ] {
            assert_eq!(&*super::expression::intern_shared(text), text);
        }
    }
}

#[test]
fn resources_in_a_resource_group_carry_their_id_read_back() {
    // The model takes the parsed ID from the evaluator where it can give it: the same as
    // parsing the ID's text; an extension resource's is left to parsing.
    let t = template(
        r#""resources": [
          {"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "n"},
          {"type": "Microsoft.Network/natGateways", "apiVersion": "1", "name": "x",
           "scope": "[resourceId('Microsoft.Network/virtualNetworks', 'v')]"}]"#,
    );
    let ev = run(&t);
    let n = find(&ev, "n");
    let parsed = n.parsed_id.as_ref().expect("made from its parts");
    assert_eq!(
        Some(parsed),
        n.id.as_str()
            .and_then(crate::arm::resource_id::parse)
            .as_ref()
    );
    assert_eq!(&*parsed.full_name, "n");
    assert!(find(&ev, "x").parsed_id.is_none());
}
