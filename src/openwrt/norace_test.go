//go:build !race

package openwrt

const raceEnabled = false
