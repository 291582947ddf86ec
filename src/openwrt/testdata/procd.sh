# Stand-in for OpenWrt's /lib/functions/procd.sh for the script tests: the
# service description is recorded in $LOG; signals, the running check and
# stopping go over ubus as in the real one (see the ubus stand-in).
# shellcheck shell=sh
procd_open_service() { rec "open_service $1"; }
# the real one sends the triggers along with the service
procd_close_service() {
	service_triggers
	rec "close_service"
}
procd_open_instance() { rec "open_instance $*"; }
procd_set_param() {
	case "$1" in
	# as the real one: the name becomes this system's number
	reload_signal) rec "set_param reload_signal $(kill -l "$2")" ;;
	*) rec "set_param $*" ;;
	esac
}
procd_close_instance() { rec "close_instance"; }
procd_add_jail() { rec "add_jail $*"; }
procd_add_jail_mount() { rec "add_jail_mount $*"; }
procd_add_jail_mount_rw() { rec "add_jail_mount_rw $*"; }
procd_add_reload_trigger() { rec "reload_trigger $*"; }
procd_add_interface_trigger() { rec "interface_trigger $*"; }
procd_kill() { ubus call service delete "{\"name\":\"$1\"}"; }
# as the real one: a signal name becomes this system's number (kill -l)
procd_send_signal() {
	_sig=$3
	case "$_sig" in
	[A-Z]*) _sig=$(kill -l "$_sig") || return 1 ;;
	esac
	ubus call service signal "{\"name\":\"$1\",\"instance\":\"$2\",\"signal\":$_sig}"
}
procd_running() {
	case "$(ubus call service list "{\"name\":\"$1\"}")" in
	*'"running": true'*) return 0 ;;
	esac
	return 1
}
