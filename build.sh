#!/bin/sh
# Build ddns-updater packages without the OpenWrt SDK and without dpkg.
#   ./build.sh                          every architecture in openwrt/arches.tsv, and the .deb files
#   ./build.sh mipsel_24kc x86_64       only those (and the .deb of each Debian
#                                       architecture whose binary that built: amd64, arm64, armhf)
# Output in $DIST (default dist/):
#   ddns-updater_VERSION_ARCH.ipk and luci-app-ddns-updater_VERSION_all.ipk (opkg);
#   feed/ARCH/: both packages as .ipk and as .apk (apk-tools v3, OpenWrt 25.x),
#     Packages and Packages.gz (and Packages.sig with USIGN_KEY) for opkg,
#     packages.adb for apk: a directory to publish as a package feed;
#   ddns-updater_VERSION_{amd64,arm64,armhf}.deb (Debian, Raspberry Pi OS);
#   SHA256SUMS, and sizes.md (binary and package bytes per architecture).
# APK_SIGN_KEY=FILE (ECDSA P-256 PEM) signs the .apk files and indexes,
# USIGN_KEY=FILE the opkg feeds; `go run ./src/cmd/mkpkg keygen DIR` makes both.
#
# One static binary per GOARCH (CGO_ENABLED=0, -trimpath, -s -w, the version
# stamped), built for the GOARCH's baseline (GOARM=5, GOARM64=v8.0,
# GO386=softfloat, softfloat MIPS, GOAMD64=v1), so that it runs on every
# OpenWrt architecture of that GOARCH: a DDNS client gains nothing from an FPU
# or newer atomics, and each distinct Go target costs a full compile of the
# standard library on a cold cache. The same source gives byte-identical
# packages (entries dated at the last commit; SOURCE_DATE_EPOCH overrides).
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

# baseline is the Go setting every core of a GOARCH runs.
baseline() {
	case $1 in
	arm) echo GOARM=5 ;;
	arm64) echo GOARM64=v8.0 ;;
	386) echo GO386=softfloat ;;
	mips | mipsle) echo GOMIPS=softfloat ;;
	mips64 | mips64le) echo GOMIPS64=softfloat ;;
	amd64) echo GOAMD64=v1 ;;
	esac
}

# gobuild builds for the GOARCH $1 (its baseline) the rest of the arguments.
# GOGC=off up to 1 GiB: the compiler spends no time collecting garbage (some
# 5 % of a cold build); -dwarf=false: no debug info is compiled that -w drops.
gobuild() {
	_goarch=$1
	shift
	# shellcheck disable=SC2046 # baseline prints nothing or one VAR=value word
	env CGO_ENABLED=0 GOOS=linux GOARCH="$_goarch" $(baseline "$_goarch") GOGC=off GOMEMLIMIT=1GiB \
		go build -tags nethttpomithttp2 -trimpath -gcflags=all=-dwarf=false "$@"
}

mkdir -p "$DIST/bin"
rm -f "$DIST"/bin/ddns-updater-* # a binary is built once per run and shared by the architectures of its GOARCH

targets=""
goarches=""
for arch in "$@"; do
	goarch=$(awk -F '\t' -v a="$arch" '$1 == a { print $2 }' openwrt/arches.tsv)
	[ -n "$goarch" ] || { echo "build.sh: unknown architecture $arch (see openwrt/arches.tsv)" >&2; exit 2; }
	case " $goarches " in *" $goarch "*) ;; *) goarches="$goarches $goarch" ;; esac
	targets="$targets $arch=$DIST/bin/ddns-updater-$goarch"
done

# Two builds at a time (one's link overlaps the other's compile), each GOARCH
# once. The first also builds the packer, for this machine with the settings
# of this machine's target: on a cold cache the standard library it compiles
# then serves that target's build too.
worker() {
	for _g in "$@"; do
		if [ "$_g" = mkpkg ] && [ "$(go env GOHOSTOS)" = linux ]; then
			gobuild "$(go env GOHOSTARCH)" -o "$DIST/bin/mkpkg" ./src/cmd/mkpkg
		elif [ "$_g" = mkpkg ]; then
			go build -o "$DIST/bin/mkpkg" ./src/cmd/mkpkg
		else
			gobuild "$_g" -ldflags="-s -w -X main.Version=$VERSION" -o "$DIST/bin/ddns-updater-$_g" ./src/cmd/ddns-updater
		fi
	done
}
half0="mkpkg" half1="" n=0
for g in $goarches; do
	if [ $((n % 2)) -eq 1 ]; then half0="$half0 $g"; else half1="$half1 $g"; fi
	n=$((n + 1))
done
# shellcheck disable=SC2086 # one word per GOARCH
worker $half0 &
w0=$!
# shellcheck disable=SC2086
worker $half1 &
w1=$!
wait "$w0" || { wait "$w1"; exit 1; }
wait "$w1"
for d in amd64=amd64 arm64=arm64 armhf=arm; do
	bin="$DIST/bin/ddns-updater-${d#*=}"
	[ ! -e "$bin" ] || targets="$targets deb:${d%=*}=$bin"
done

# shellcheck disable=SC2086 # one word per target
"$DIST/bin/mkpkg" -version "$VERSION" -mtime "$MTIME" -out "$DIST" $targets
