//! Replays the fuzz corpus (`fuzz/corpus/<target>/`) through the same entry points the cargo-fuzz
//! targets call, on stable Rust: every input must give a value or a typed error, never a panic
//! or an abort (a panic fails this test). The seeds are the attacks of issue 11 (mutants that
//! make automerge panic, deep nesting, floods); `write_seeds` below regenerates them from the
//! crafting functions. Running the fuzzers themselves: fuzz/README.md.

use std::path::{Path, PathBuf};

use sotay_server::fuzzing::{self, FUZZ_DEVICE, FUZZ_USER, Harness};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read");
            (p, bytes)
        })
        .collect()
}

fn named(path: &Path, prefix: &str) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix))
}

const DOC: [u8; 16] = *b"\x01\x95\xf3\xa2\x7c\x1d\x70\x00\x80\x00\x00\x00\x00\x00\x0f\x22";

#[test]
fn every_sync_body_gets_a_value_or_a_typed_error() {
    let inputs = corpus("sync_body");
    assert!(inputs.len() >= 4, "a seeded corpus");
    for (path, bytes) in inputs {
        let harness = Harness::new().expect("harness");
        let result = harness.sync_body(&bytes);
        if named(&path, "valid") {
            assert_eq!(result.expect("the valid push is stored"), 1);
        } else {
            assert!(result.is_err(), "{}: refused", path.display());
        }
    }
}

#[test]
fn every_change_gets_a_value_or_a_typed_error_and_the_attacks_are_refused() {
    let inputs = corpus("push_change");
    assert!(inputs.iter().filter(|(p, _)| named(p, "mutant")).count() >= 6, "a seeded corpus");
    for (path, bytes) in inputs {
        let harness = Harness::new().expect("harness");
        let result = harness.push_change(DOC, &bytes);
        if named(&path, "valid") {
            assert!(result.is_ok(), "{}: {result:?}", path.display());
        } else if named(&path, "mutant") || named(&path, "deep") {
            assert!(result.is_err(), "{}: refused", path.display());
        }
    }
    assert!(
        sotay_server::ingest::PANICS.load(std::sync::atomic::Ordering::Relaxed) >= 1,
        "a mutant made automerge panic"
    );
}

#[test]
fn every_tree_gets_a_value_or_a_typed_error() {
    for (path, bytes) in corpus("tree") {
        let result = fuzzing::read_tree(&bytes);
        if named(&path, "deep") {
            assert_eq!(result, Err(fuzzing::TreeError::TooDeep), "{}", path.display());
        }
        if named(&path, "valid") {
            assert!(result.is_ok(), "{}: {result:?}", path.display());
        }
    }
}

#[test]
fn every_attachment_header_gets_a_value_or_a_typed_error() {
    for (path, bytes) in corpus("attachment_headers") {
        let result = fuzzing::attachment_headers(&bytes);
        assert_eq!(result.is_ok(), named(&path, "png"), "{}: {result:?}", path.display());
    }
}

/// Regenerates the seeds: `cargo test -p sotay-server --test fuzz_corpus -- --ignored`.
#[test]
#[ignore = "writes the corpus seeds; run by hand when the protocol changes"]
fn write_seeds() {
    use sotay_core::sync::protocol::{self, DocChanges, SyncRequest};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| {
        std::fs::create_dir_all(root.join(target)).expect("corpus dir");
        std::fs::write(root.join(target).join(name), bytes).expect("write seed");
    };
    let id = uuid::Uuid::from_bytes(DOC).to_string();
    // A valid first change of a dialogue, in the harness's name.
    let valid = fuzzing::deep_nesting(&id, FUZZ_USER, FUZZ_DEVICE, 2, false);
    write("push_change", "valid-dialogue", &valid[0]);
    for (i, m) in fuzzing::panicking_mutants(&valid[0], 12, 200_000, 0xf022).iter().enumerate() {
        write("push_change", &format!("mutant-{i:02}"), m);
    }
    let deep = fuzzing::deep_nesting(&id, FUZZ_USER, FUZZ_DEVICE, 300, false);
    write("push_change", "deep-300", &deep[0]);
    let body = |pushes: Vec<DocChanges>| {
        protocol::encode(&SyncRequest { cursor: Default::default(), pushes, max_response_bytes: 1 << 19 })
    };
    let change = |c: &[u8]| DocChanges { doc: DOC, changes: vec![serde_bytes::ByteBuf::from(c.to_vec())] };
    write("sync_body", "valid", &body(vec![change(&valid[0])]));
    let flood: Vec<DocChanges> = (0..100_000).map(|_| DocChanges { doc: DOC, changes: vec![] }).collect();
    write("sync_body", "same-doc-100000", &body(flood));
    let hidden = fuzzing::deep_nesting(&id, FUZZ_USER, FUZZ_DEVICE, 300, true);
    write(
        "sync_body",
        "deep-hidden",
        &body(vec![DocChanges { doc: DOC, changes: hidden.into_iter().map(serde_bytes::ByteBuf::from).collect() }]),
    );
    write("sync_body", "not-sync", b"hello");
    write("sync_body", "truncated", &body(vec![change(&valid[0])])[..20]);
    let mut doc = automerge::AutoCommit::new();
    for c in &deep {
        let _ = doc.load_incremental(c);
    }
    write("tree", "deep-300", &doc.save());
    let mut shallow = automerge::AutoCommit::new();
    let _ = shallow.load_incremental(&valid[0]);
    write("tree", "valid-dialogue", &shallow.save());
    write("tree", "garbage", b"\x85\x6f\x4a\x83garbage");
    let png = [0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0];
    let sha = sotay_core::store::attachments::sha256_hex(&png);
    write("attachment_headers", "png", &[sha.as_bytes(), b"\nimage/png\n", &png].concat());
    write("attachment_headers", "wrong-type", &[sha.as_bytes(), b"\ntext/html\n<script>"].concat());
    write("attachment_headers", "bad-hash", b"../../etc/passwd\nimage/png\n");
}
