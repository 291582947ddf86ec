#!/bin/sh
# Build static ddns-updater binaries into dist/.
#   ./build.sh                 the host's architecture: dist/ddns-updater
#   ./build.sh mipsle arm64    those GOARCHs: dist/ddns-updater-linux-GOARCH
# (MIPS builds use GOMIPS=softfloat, as OpenWrt's kernels emulate no FPU for Go.)
set -eu
cd "$(dirname "$0")"
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
LDFLAGS="-s -w -X main.Version=$VERSION"
mkdir -p dist
if [ $# -eq 0 ]; then
	CGO_ENABLED=0 go build -tags nethttpomithttp2 -trimpath -ldflags="$LDFLAGS" -o dist/ddns-updater ./src/cmd/ddns-updater
	echo "dist/ddns-updater $(wc -c < dist/ddns-updater) bytes"
	exit 0
fi
for arch in "$@"; do
	out=dist/ddns-updater-linux-$arch
	case $arch in mips|mipsle) export GOMIPS=softfloat ;; esac
	CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -tags nethttpomithttp2 -trimpath -ldflags="$LDFLAGS" -o "$out" ./src/cmd/ddns-updater
	echo "$out $(wc -c < "$out") bytes"
done
