#!/usr/bin/env bash
# Cross-compiles the Rust core for the app's ABIs with cargo-ndk into app/src/main/jniLibs, and
# generates the Kotlin bindings into core-bindings/src/main/kotlin. Needs the Android NDK
# (ANDROID_NDK_HOME), `cargo install cargo-ndk`, perl and make (SQLCipher's OpenSSL is built
# from source for each ABI). Not run on the project's machines (no NDK there).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
cargo ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/app/src/main/jniLibs build --release -p sotay-ffi
cargo build -p sotay-ffi -p uniffi-bindgen
rm -rf android/core-bindings/src/main/kotlin
target/debug/uniffi-bindgen generate --library target/debug/libsotay_ffi.so --language kotlin \
  --out-dir android/core-bindings/src/main/kotlin
echo "Rust libraries in android/app/src/main/jniLibs, bindings in android/core-bindings/src/main/kotlin."
