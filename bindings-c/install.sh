#!/usr/bin/env bash
# Builds the C library (release) and installs it with its header and pkg-config file:
#   PREFIX/lib/libagentops.{so,a}, PREFIX/include/agentops.h, PREFIX/lib/pkgconfig/agentops.pc
#
#   bash bindings-c/install.sh "$HOME/.local"     # then: export PKG_CONFIG_PATH="$HOME/.local/lib/pkgconfig"
#
# `pkg-config --libs agentops` links the shared library (with an rpath to it);
# `pkg-config --static --libs agentops` lists what a static link of libagentops.a needs.
set -euo pipefail
PREFIX=${1:?usage: install.sh PREFIX}
cd "$(dirname "$0")/.."
cargo build -q --release -p agentops-c
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
VERSION=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "agentops-c"))')
mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/include"
cp "$TARGET_DIR/release/libagentops.so" "$TARGET_DIR/release/libagentops.a" "$PREFIX/lib/"
cp include/agentops.h "$PREFIX/include/"
# What a Rust staticlib needs from the system (rustc --print native-static-libs, Linux glibc).
STATIC_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
sed -e "s|@PREFIX@|$PREFIX|" -e "s|@VERSION@|$VERSION|" -e "s|@STATIC_LIBS@|$STATIC_LIBS|" \
  bindings-c/agentops.pc.in > "$PREFIX/lib/pkgconfig/agentops.pc"
echo "installed agentops $VERSION into $PREFIX"
