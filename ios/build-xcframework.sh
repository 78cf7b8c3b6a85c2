#!/usr/bin/env bash
# Builds ios/SotayCore/SotayCoreFFI.xcframework from the Rust library, for the iOS device, the
# iOS simulator (Apple silicon and Intel) and macOS (for `swift test`). Run on a Mac with Xcode
# and rustup; see the README's iOS section.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS="aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin"
for t in $TARGETS; do rustup target add "$t"; done
for t in $TARGETS; do cargo build --release -p sotay-ffi --target "$t"; done

# The bindings in the package must be those of this code.
scripts/bindings --check

OUT=target/xcframework
rm -rf "$OUT" ios/SotayCore/SotayCoreFFI.xcframework
mkdir -p "$OUT/headers" "$OUT/ios-sim" "$OUT/macos"
cp ios/SotayCore/Generated/SotayCoreFFI.h ios/SotayCore/Generated/module.modulemap "$OUT/headers/"
lipo -create target/aarch64-apple-ios-sim/release/libsotay_ffi.a target/x86_64-apple-ios/release/libsotay_ffi.a \
  -output "$OUT/ios-sim/libsotay_ffi.a"
lipo -create target/aarch64-apple-darwin/release/libsotay_ffi.a target/x86_64-apple-darwin/release/libsotay_ffi.a \
  -output "$OUT/macos/libsotay_ffi.a"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/libsotay_ffi.a -headers "$OUT/headers" \
  -library "$OUT/ios-sim/libsotay_ffi.a" -headers "$OUT/headers" \
  -library "$OUT/macos/libsotay_ffi.a" -headers "$OUT/headers" \
  -output ios/SotayCore/SotayCoreFFI.xcframework
echo "ios/SotayCore/SotayCoreFFI.xcframework is ready: open ios/SotayCore in Xcode, or run swift test there."
