//! Every Rust block of README.md is in `examples/readme.rs`, which `cargo test`
//! compiles: the README's snippets cannot drift from the API.

#[test]
fn every_readme_snippet_is_compiled_by_the_readme_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let example = std::fs::read_to_string(format!("{root}/examples/readme.rs")).unwrap();
    let example: String = example.lines().map(|l| l.strip_prefix("    ").unwrap_or(l)).collect::<Vec<_>>().join("\n");
    let mut blocks = 0;
    for block in readme.split("```rust\n").skip(1) {
        let code = &block[..block.find("```").expect("a closed block")];
        assert!(example.contains(code.trim_end()), "README block not in examples/readme.rs:\n{code}");
        blocks += 1;
    }
    assert!(blocks >= 2, "the README's library blocks");
}
