#!/usr/bin/env bash
# build-otelcol.sh OUT_DIR — build (or reuse) a real OpenTelemetry Collector at OUT_DIR/otelcol.
# Components: receiver otlp (HTTP+gRPC), processor batch, exporters debug + file (contrib).
# Needs only Go >= 1.26.0 and the Go module proxy (+ its checksum DB). Prints the binary's path on stdout.
# Reuse: if OUT_DIR/otelcol.key matches the key of this recipe (sources + go version), nothing is rebuilt.
# Env: OTELCOL_BUILD_P (go build -p, default 2); OTELCOL_PRIVATE_CACHE=1 builds with a throwaway
# GOMODCACHE/GOCACHE under OUT_DIR (deleted afterwards, ~1.1 GB peak) instead of the user's Go caches.
# Recipe and measurements: the otel-collector-recipe of the project's shared references (copied from
# its tools/build-otelcol.sh unchanged, so a fresh clone builds the same Collector).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
BIN="$OUT/otelcol"

CORE=v0.161.0     # go.opentelemetry.io/collector/* 0.x modules
STABLE=v1.67.0    # go.opentelemetry.io/collector/* 1.x modules (same release)
CONTRIB=v0.161.0  # contrib fileexporter (v0.165.1 + core v0.165.0/v1.71.0 also builds, see the recipe)

command -v go >/dev/null || { echo "build-otelcol: go not found" >&2; exit 1; }
GOVER=$(go env GOVERSION)

GOMOD="module local/otelcol

go 1.26.0

require (
	github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter $CONTRIB
	go.opentelemetry.io/collector/component $STABLE
	go.opentelemetry.io/collector/confmap $STABLE
	go.opentelemetry.io/collector/confmap/provider/envprovider $STABLE
	go.opentelemetry.io/collector/confmap/provider/fileprovider $STABLE
	go.opentelemetry.io/collector/confmap/provider/yamlprovider $STABLE
	go.opentelemetry.io/collector/exporter $STABLE
	go.opentelemetry.io/collector/exporter/debugexporter $CORE
	go.opentelemetry.io/collector/otelcol $CORE
	go.opentelemetry.io/collector/processor $STABLE
	go.opentelemetry.io/collector/processor/batchprocessor $CORE
	go.opentelemetry.io/collector/receiver $STABLE
	go.opentelemetry.io/collector/receiver/otlpreceiver $CORE
	go.opentelemetry.io/collector/service $CORE
)
"

read -r -d '' MAIN <<'EOF' || true
// Minimal OpenTelemetry Collector, written by build-otelcol.sh (same API as the builder's templates).
package main

import (
	"os"

	fileexporter "github.com/open-telemetry/opentelemetry-collector-contrib/exporter/fileexporter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"
)

func components() (otelcol.Factories, error) {
	var err error
	f := otelcol.Factories{Telemetry: otelconftelemetry.NewFactory()}
	if f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](otlpreceiver.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	if f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](batchprocessor.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	if f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](debugexporter.NewFactory(), fileexporter.NewFactory()); err != nil {
		return otelcol.Factories{}, err
	}
	return f, nil
}

func main() {
	set := otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{Command: "otelcol", Description: "test collector (otlp, batch, debug, file)", Version: "0.161.0"},
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				ProviderFactories: []confmap.ProviderFactory{envprovider.NewFactory(), fileprovider.NewFactory(), yamlprovider.NewFactory()},
			},
		},
	}
	if err := otelcol.NewCommand(set).Execute(); err != nil {
		os.Exit(1)
	}
}
EOF

LDFLAGS='-s -w'
KEY=$(printf '%s\n%s\n%s\n%s\n' "$GOVER" "$LDFLAGS" "$GOMOD" "$MAIN" | sha256sum | cut -c1-16)

reusable() { [ -x "$BIN" ] && [ "$(cat "$OUT/otelcol.key" 2>/dev/null)" = "$KEY" ] && "$BIN" --version >/dev/null 2>&1; }

if reusable; then echo "$BIN"; exit 0; fi

exec 9>"$OUT/.otelcol.lock"   # serialise concurrent builds into the same OUT_DIR
flock 9
if reusable; then echo "$BIN"; exit 0; fi   # another process built it while we waited

case "$GOVER" in go1.2[6-9]*|go1.[3-9]*) ;; *) echo "build-otelcol: need Go >= 1.26.0, have $GOVER" >&2; exit 1;; esac

SRC="$OUT/src"
rm -rf "$SRC"; mkdir -p "$SRC"
printf '%s' "$GOMOD" > "$SRC/go.mod"
printf '%s\n' "$MAIN" > "$SRC/main.go"

if [ "${OTELCOL_PRIVATE_CACHE:-0}" = 1 ]; then
  export GOMODCACHE="$OUT/.gocache/mod" GOCACHE="$OUT/.gocache/build"
  trap 'chmod -R u+w "$OUT/.gocache" 2>/dev/null; rm -rf "$OUT/.gocache"' EXIT
fi

echo "build-otelcol: building collector $CORE ($GOVER) into $OUT ..." >&2
start=$(date +%s)
# -mod=mod (not `go mod tidy`): resolves and records only what the binary imports; tidy would also fetch
# the dependencies' test-only modules, some of which the proxy here does not serve.
( cd "$SRC"
  export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
  go build -mod=mod -p "${OTELCOL_BUILD_P:-2}" -trimpath -ldflags="$LDFLAGS" -o "$BIN.tmp" . >&2 )
mv -f "$BIN.tmp" "$BIN"
"$BIN" --version >/dev/null
echo "$KEY" > "$OUT/otelcol.key"
echo "build-otelcol: done in $(( $(date +%s) - start )) s ($(du -h "$BIN" | cut -f1))" >&2
echo "$BIN"
