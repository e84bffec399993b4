//! The README's rules table lists every rule with its registered name and severity.

use amlint::rules::Catalog;

#[test]
fn readme_rules_table_matches_the_registry() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (rule, _) in Catalog::default().rules() {
        let row = format!("| {} | {} | {} |", rule.code, rule.name, rule.severity);
        assert!(readme.contains(&row), "README lacks the row `{row}`");
    }
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_block = readme.split("```").nth(1).unwrap_or_default();
    assert!(
        first_block.contains("cargo run -- fixtures/"),
        "{first_block}"
    );
    assert!(first_block.contains("cargo test"), "{first_block}");
}
