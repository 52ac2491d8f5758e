#!/usr/bin/env bash
# Fuzz every reader of outside files for SECONDS each (default 240), seeded with
# ../shared/data and the bundled sample. Inputs that panic are kept in
# tests/fuzz_corpus/TARGET/ and replayed by `cargo test` (tests/fuzz_regressions.rs).
# Not part of the normal test run.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-240}"
cp Cargo.lock fuzz/Cargo.lock 2>/dev/null || true
CARGO_TARGET_DIR=target/fuzz cargo build --release --offline --manifest-path fuzz/Cargo.toml
status=0
for target in project geojson shapefile csv; do
  target/fuzz/release/territory-designer-fuzz "$target" "$SECONDS_EACH" || status=1
done
exit $status
