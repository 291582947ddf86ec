#!/bin/sh
# Build ddns-updater packages without the OpenWrt SDK.
#   ./build.sh                          every architecture in openwrt/arches.tsv
#   ./build.sh mipsel_24kc x86_64       only those
# Output in $DIST (default dist/): one .ipk per architecture, the LuCI app's
# luci-app-ddns-updater_VERSION_all.ipk, SHA256SUMS, and
# sizes.md (binary and ipk bytes per architecture). Static binaries
# (CGO_ENABLED=0, -trimpath, -s -w, the version stamped); the same source gives
# byte-identical packages (entries dated at the last commit).
set -eu
cd "$(dirname "$0")"
DIST=${DIST:-dist}

field() { sed -n "s/^$1:=//p" openwrt/Makefile; }
VERSION="$(field PKG_VERSION)-r$(field PKG_RELEASE)"
MTIME=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046 # one word per architecture
	set -- $(grep -v '^#' openwrt/arches.tsv | cut -f1)
fi
mkdir -p "$DIST/bin"
rm -f "$DIST"/bin/ddns-updater-* # a binary is built once per run and shared by architectures with the same GOARCH
go build -o "$DIST/bin/mkipk" ./src/cmd/mkipk

printf '| architecture | GOARCH | binary bytes | ipk bytes |\n|---|---|---:|---:|\n' > "$DIST/sizes.md"
for arch in "$@"; do
	line=$(grep "^$arch	" openwrt/arches.tsv) || { echo "build.sh: unknown architecture $arch (see openwrt/arches.tsv)" >&2; exit 2; }
	goarch=$(echo "$line" | cut -f2)
	variant=$(echo "$line" | cut -f3)
	bin="$DIST/bin/ddns-updater-$goarch${variant:+-$variant}"
	if [ ! -e "$bin" ]; then
		# shellcheck disable=SC2086 # $variant is empty or one VAR=value word
		env CGO_ENABLED=0 GOOS=linux GOARCH="$goarch" $variant \
			go build -tags nethttpomithttp2 -trimpath -ldflags="-s -w -X main.Version=$VERSION" -o "$bin" ./src/cmd/ddns-updater
	fi
	ipk=$("$DIST/bin/mkipk" -arch "$arch" -version "$VERSION" -bin "$bin" -files files -out "$DIST" -mtime "$MTIME")
	printf '| %s | %s %s | %s | %s |\n' "$arch" "$goarch" "$variant" "$(wc -c < "$bin" | tr -d ' ')" "$(wc -c < "$ipk" | tr -d ' ')" >> "$DIST/sizes.md"
done
luci=$("$DIST/bin/mkipk" -luci luci/luci-app-ddns-updater -version "$VERSION" -out "$DIST" -mtime "$MTIME")
printf '| %s | (all) | | %s |\n' "luci-app-ddns-updater" "$(wc -c < "$luci" | tr -d ' ')" >> "$DIST/sizes.md"
(cd "$DIST" && sha256sum -- *.ipk > SHA256SUMS)
cat "$DIST/sizes.md"
