//go:build race

package openwrt

// raceEnabled: under the race detector the packaging test, which only runs
// build.sh and the built binaries, is not repeated.
const raceEnabled = true
