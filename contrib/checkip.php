<?php
// checkip for ddns-updater: answers with the address the request came from, as
// plain text and nothing else, as `ddns-updater checkip-server` does (and as
// the original program's checkip.php did), so that use_regex 0 reads it.
//
// Behind a reverse proxy, list the proxy's addresses or networks in $trusted:
// then, for requests from them only, the address comes from X-Forwarded-For,
// read from the nearest hop back, skipping hops that are trusted proxies too.
// Anyone else's X-Forwarded-For is ignored: a client can write anything there.

$trusted = array(); // e.g. array('127.0.0.1/32', '::1/128', '192.0.2.0/24')

function ddns_in_cidr($ip, $cidr) {
	$parts = explode('/', $cidr, 2);
	$net = @inet_pton($parts[0]);
	$addr = @inet_pton($ip);
	if ($net === false || $addr === false || strlen($net) !== strlen($addr)) {
		return false;
	}
	$bits = isset($parts[1]) ? (int)$parts[1] : strlen($net) * 8;
	$bytes = intdiv($bits, 8);
	if (substr($net, 0, $bytes) !== substr($addr, 0, $bytes)) {
		return false;
	}
	$rest = $bits % 8;
	if ($rest === 0) {
		return true;
	}
	$mask = (0xff << (8 - $rest)) & 0xff;
	return (ord($net[$bytes]) & $mask) === (ord($addr[$bytes]) & $mask);
}

function ddns_is_trusted($ip, $trusted) {
	foreach ($trusted as $cidr) {
		if (ddns_in_cidr($ip, $cidr)) {
			return true;
		}
	}
	return false;
}

// ddns_plain: an IPv4 address written in IPv6 (::ffff:192.0.2.1) as IPv4.
function ddns_plain($ip) {
	$bin = @inet_pton($ip);
	if ($bin !== false && strlen($bin) === 16 && substr($bin, 0, 12) === str_repeat("\0", 10) . "\xff\xff") {
		return inet_ntop(substr($bin, 12));
	}
	return $bin === false ? false : inet_ntop($bin);
}

header('Content-Type: text/plain; charset=utf-8');
header('Cache-Control: no-store');

$addr = ddns_plain($_SERVER['REMOTE_ADDR']);
if ($addr !== false && ddns_is_trusted($addr, $trusted) && isset($_SERVER['HTTP_X_FORWARDED_FOR'])) {
	$hops = explode(',', $_SERVER['HTTP_X_FORWARDED_FOR']);
	for ($i = count($hops) - 1; $i >= 0; $i--) {
		$hop = ddns_plain(trim($hops[$i], " \t\"[]"));
		if ($hop === false) {
			http_response_code(400);
			echo "cannot read the client's address in X-Forwarded-For\n";
			exit;
		}
		$addr = $hop;
		if (!ddns_is_trusted($hop, $trusted)) {
			break;
		}
	}
}
echo $addr;
