// Package openwrt holds the tests of what makes the program an OpenWrt package:
// the packages build.sh makes (layout, control fields, static binaries for each
// architecture, runs under qemu-user, reproducibility), the procd init script
// and the hotplug hook (under BusyBox sh, with stand-ins for OpenWrt's shell
// library). It has no code of its own.
package openwrt
