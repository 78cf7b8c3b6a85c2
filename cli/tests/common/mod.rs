//! Running the `sotay` binary against a store in a temporary directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const KEY: &str = "6b6579206b6579206b6579206b6579206b6579206b6579206b6579206b657920";
pub const COMMUNE: &str = "02266";

pub struct Field {
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
}

impl Field {
    pub fn new() -> Field {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("sotay.db");
        Field { dir, store }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sotay"));
        c.arg("--store").arg(&self.store).env("SOTAY_KEY", KEY).env_remove("SOTAY_KEY_FILE").env_remove("SOTAY_STORE");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).unwrap()
    }

    pub fn init(&self) {
        self.ok(&["init", "--user", "nguyen.van.a", "--name", "Nguyễn Văn A", "--unit", COMMUNE]);
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    pub fn path(&self) -> &Path {
        &self.store
    }
}
