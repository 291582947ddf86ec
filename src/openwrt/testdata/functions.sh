# Stand-in for OpenWrt's /lib/functions.sh for the script tests. UCI sections come
# from $SECTIONS ("type:name ..."), options from variables CFG_<section>_<option>;
# every call that matters is recorded in $LOG.
# shellcheck shell=sh disable=SC2034
rec() { echo "$*" >> "$LOG"; }
config_load() { rec "config_load $*"; }
config_foreach() {
	_fn=$1
	_type=$2
	shift 2
	for _s in $SECTIONS; do
		[ "${_s%%:*}" = "$_type" ] && "$_fn" "${_s#*:}" "$@"
	done
	return 0
}
config_get() {
	eval "_v=\${CFG_$2_$3-}"
	[ -n "$_v" ] || _v=$4
	eval "$1=\$_v"
}
# as the real one: a value it does not know is the default
config_get_bool() {
	config_get "$@"
	eval "_v=\$$1"
	case "$_v" in
	1 | on | true | yes | enabled) eval "$1=1" ;;
	0 | off | false | no | disabled) eval "$1=0" ;;
	*) eval "$1=\$4" ;;
	esac
}
# The router's kill(1): under an emulated architecture, its numbers.
if [ -n "$TARGET_KILL" ]; then
	kill() { $TARGET_KILL "$@"; }
fi
