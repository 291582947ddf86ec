'use strict';
'require baseclass';
'require ddns-updater.rules as rules';

// The form's checks, one per kind of rule of rules.js (generated from the
// program's option table): a value passes here exactly when the program's own
// reader accepts it (src/config; the tests feed both src/config/testdata/
// values.json). Only what the router alone can tell is left to
// `ddns-updater --check`: whether a CA file exists and holds a certificate,
// and rules between options (force_interval not below check_interval).

var MAX_DURATION = 3650 * 24 * 3600; // ten years, in seconds

function hasControl(s) {
	return /[\x00-\x1f\x7f]/.test(s);
}

// parseIPv4 reads four decimal fields 0-255 without leading zeros into out[at..at+3].
function parseIPv4(s, out, at) {
	var f = s.split('.');
	if (f.length !== 4)
		return false;
	for (var i = 0; i < 4; i++) {
		if (!/^(0|[1-9][0-9]{0,2})$/.test(f[i]) || +f[i] > 255)
			return false;
		out[at + i] = +f[i];
	}
	return true;
}

// parseIP reads an address as Go's netip.ParseAddr does: { v6, bytes, zone },
// or null. An IPv4 address has its 4 bytes in bytes[12..15].
function parseIP(s) {
	var bytes = [ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 ];
	var first = s.search(/[.:%]/);
	if (first < 0)
		return null;
	if (s[first] === '.')
		return parseIPv4(s, bytes, 12) ? { v6: false, bytes: bytes, zone: '' } : null;
	if (s[first] === '%')
		return null;
	var zone = '', pct = s.indexOf('%');
	if (pct >= 0) {
		zone = s.substring(pct + 1);
		s = s.substring(0, pct);
		if (zone === '')
			return null;
	}
	var i = 0, ellipsis = -1;
	if (s.substring(0, 2) === '::') {
		ellipsis = 0;
		s = s.substring(2);
	}
	while (s !== '' && i < 16) {
		var m = /^[0-9a-fA-F]{1,4}/.exec(s);
		if (!m)
			return null;
		if (s[m[0].length] === '.') {
			if (ellipsis < 0 && i !== 12 || i + 4 > 16 || !parseIPv4(s, bytes, i))
				return null;
			i += 4;
			s = '';
			break;
		}
		if (/^[0-9a-fA-F]{5}/.test(s))
			return null;
		var n = parseInt(m[0], 16);
		bytes[i] = n >> 8;
		bytes[i + 1] = n & 0xff;
		i += 2;
		s = s.substring(m[0].length);
		if (s === '')
			break;
		if (s[0] !== ':' || s.length === 1)
			return null;
		s = s.substring(1);
		if (s[0] === ':') {
			if (ellipsis >= 0)
				return null;
			ellipsis = i;
			s = s.substring(1);
		}
	}
	if (s !== '')
		return null;
	if (i < 16) {
		if (ellipsis < 0)
			return null;
		var k = 16 - i;
		for (var j = i - 1; j >= ellipsis; j--)
			bytes[j + k] = bytes[j];
		for (var z = ellipsis; z < ellipsis + k; z++)
			bytes[z] = 0;
	}
	else if (ellipsis >= 0) {
		return null;
	}
	return { v6: true, bytes: bytes, zone: zone };
}

function is4In6(a) {
	if (!a.v6)
		return false;
	for (var i = 0; i < 10; i++)
		if (a.bytes[i] !== 0)
			return false;
	return a.bytes[10] === 0xff && a.bytes[11] === 0xff;
}

// validHostName: labels of letters, digits, '-' and '_', at most 253 bytes;
// with wildcard a first label '*'.
function validHostName(s, wildcard) {
	if (s.substring(s.length - 1) === '.')
		s = s.substring(0, s.length - 1);
	if (s === '' || s.length > 253)
		return false;
	var labels = s.split('.');
	for (var i = 0; i < labels.length; i++) {
		var l = labels[i];
		if (l === '*' && i === 0 && wildcard)
			continue;
		if (l === '' || l.length > 63 || l[0] === '-' || l[l.length - 1] === '-' || !/^[A-Za-z0-9_-]+$/.test(l))
			return false;
	}
	return true;
}

// atoi reads an integer as Go's strconv.Atoi does, or returns null.
function atoi(s) {
	return /^[+-]?[0-9]+$/.test(s) ? parseInt(s, 10) : null;
}

function hostPort(s) {
	if (s.indexOf('/') >= 0)
		return false;
	var host = s, port = '', hasPort = false;
	if (s[0] === '[') {
		var end = s.indexOf(']');
		if (end < 0)
			return false;
		host = s.substring(1, end);
		var rest = s.substring(end + 1);
		if (rest !== '') {
			if (rest[0] !== ':')
				return false;
			port = rest.substring(1);
			hasPort = true;
		}
		var a = parseIP(host);
		if (!a || !a.v6 || a.zone !== '')
			return false;
	}
	else if (s.split(':').length > 2) {
		var b = parseIP(s);
		return !!b && b.zone === '';
	}
	else if (s.indexOf(':') >= 0) {
		host = s.substring(0, s.indexOf(':'));
		port = s.substring(s.indexOf(':') + 1);
		hasPort = true;
	}
	if (hasPort) {
		var n = atoi(port);
		if (n === null || n < 1 || n > 65535)
			return false;
	}
	if (s[0] !== '[' && !parseIP(host) && !validHostName(host, false))
		return false;
	return true;
}

// ipPort reads an IP address with an optional port, as Go's
// netip.ParseAddrPort, else netip.ParseAddr of the address alone.
function ipPort(s) {
	var i = s.lastIndexOf(':');
	if (i > 0) {
		var ip = s.substring(0, i), port = s.substring(i + 1), v6 = false;
		if (ip[0] === '[') {
			if (ip.length < 2 || ip[ip.length - 1] !== ']')
				ip = null;
			else {
				ip = ip.substring(1, ip.length - 1);
				v6 = true;
			}
		}
		if (ip !== null && /^[0-9]+$/.test(port) && +port <= 65535) {
			var a = parseIP(ip);
			if (a && a.v6 === v6)
				return +port !== 0 && a.zone === '';
		}
	}
	var t = s;
	if (t[0] === '[')
		t = t.substring(1);
	if (t[t.length - 1] === ']')
		t = t.substring(0, t.length - 1);
	var b = parseIP(t);
	return !!b && b.zone === '';
}

// seconds reads 600, 10m, 2h, 25d, 1w or sums such as 1h30m, as Go's
// config.ParseDuration does; null for anything else or above ten years.
function seconds(s) {
	if (/^[0-9]+$/.test(s))
		return +s <= MAX_DURATION ? +s : null;
	var units = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }, total = 0, m;
	if (s === '')
		return null;
	while (s !== '') {
		m = /^([0-9]+)([smhdw])/.exec(s);
		if (!m || +m[1] > (MAX_DURATION - total) / units[m[2]])
			return null;
		total += +m[1] * units[m[2]];
		s = s.substring(m[0].length);
	}
	return total;
}

function validEmail(s) {
	var at = s.indexOf('@');
	if (at <= 0 || /[ <>",;()\[\]\\]/.test(s) || hasControl(s))
		return false;
	var domain = s.substring(at + 1);
	return validHostName(domain, false) && domain.indexOf('.') >= 0;
}

// items splits a comma list into trimmed, non-empty items.
function items(s) {
	return s.split(',').map(function(x) { return x.trim(); }).filter(function(x) { return x !== ''; });
}

function bytesOf(s) {
	return unescape(encodeURIComponent(s)).length;
}

function isHex(s) { return /^[0-9a-fA-F]+$/.test(s); }

// isHexPairs: hex octets of two digits joined by sep.
function isHexPairs(s, sep) {
	return s.split(sep).every(function(p) { return /^[0-9a-fA-F]{2}$/.test(p); });
}

// lanHostIdent: a LAN host as src/lanhost.ParseIdent reads it, or false.
function lanHostIdent(s) {
	if (s === '')
		return false;
	if (s.indexOf('::') >= 0 || (s.split(':').length === 8 && !isHexPairs(s, ':'))) {
		var a = parseIP(s);
		return !!(a && a.v6 && !is4In6(a) && a.zone === '' && a.bytes.some(function(b) { return b !== 0; }));
	}
	var octets = null;
	if (s.indexOf(':') >= 0) {
		if (!isHexPairs(s, ':'))
			return false;
		var n = s.split(':').length;
		if (n >= 7)
			return s.length <= 389; // a DUID of at most 130 bytes
		if (n !== 6)
			return false;
		octets = s.split(':');
	} else if (s.indexOf('-') >= 0 && isHexPairs(s, '-') && s.split('-').length === 6) {
		octets = s.split('-');
	} else if (isHex(s) && s.length === 12) {
		octets = s.match(/../g);
	} else if (isHex(s) && s.length >= 14 && s.length % 2 === 0) {
		return s.length <= 260;
	}
	if (octets) {
		var first = parseInt(octets[0], 16);
		return (first & 1) === 0 && octets.some(function(o) { return parseInt(o, 16) !== 0; });
	}
	return s.length <= 253 && s[0] !== '-' && s[0] !== '.' && /^[A-Za-z0-9._-]+$/.test(s);
}

// The checks of each kind: true, or what is expected.
var kinds = {
	bool: function(s) { return /^(1|yes|on|true|enabled|0|no|off|false|disabled)$/i.test(s) || _('Expecting 0 or 1'); },
	choice: function(s, r) { return r.choices.indexOf(s) >= 0 || _('Expecting one of %s').format(r.choices.join(', ')); },
	int: function(s, r) {
		var n = atoi(s);
		return (n !== null && n >= r.min && n <= r.max) || _('Expecting a number from %d to %d').format(r.min, r.max);
	},
	duration: function(s, r) {
		var n = seconds(s);
		if (n === null)
			return _('Expecting seconds or a duration such as 600, 10m, 2h, 25d (at most ten years)');
		if (n === 0 && r.zero_ok)
			return true;
		return n >= (r.min || 0) || (r.zero_ok ? _('Expecting at least %d seconds, or 0 for never').format(r.min) : _('Expecting at least %d seconds').format(r.min));
	},
	text: function(s) { return !hasControl(s) || _('Expecting text without control characters'); },
	secret: function() { return true; },
	username: function(s) {
		if (s.indexOf(':') >= 0)
			return _('A user name cannot contain ":" (HTTP Basic authentication cannot carry it)');
		return !hasControl(s) || _('Expecting text without control characters');
	},
	host: function(s) {
		var a = parseIP(s.replace(/^[\[\]]+|[\[\]]+$/g, ''));
		return (a && a.zone === '') || validHostName(s, false) || _('Expecting a host name or IP address (the port is its own option)');
	},
	hostport: function(s) { return hostPort(s) || _('Expecting a host name or IP address, optionally with :port (not a URL)'); },
	checkip: function(s) {
		var i = s.indexOf('://');
		if (i < 0)
			return hostPort(s) || _('Expecting a host name or IP address, optionally with :port, or an http:// or https:// URL');
		var scheme = s.substring(0, i).toLowerCase(), rest = s.substring(i + 3), slash = rest.indexOf('/');
		var host = slash < 0 ? rest : rest.substring(0, slash), path = slash < 0 ? '' : rest.substring(slash + 1);
		if ((scheme !== 'http' && scheme !== 'https') || host === '' || !hostPort(host) ||
		    (path !== '' && (/[ #]/.test(path) || hasControl(path))))
			return _('Expecting a host name or IP address, optionally with :port, or an http:// or https:// URL');
		return true;
	},
	auth: function(s) { return /^(basic|query|query:[A-Za-z0-9_.-]+,[A-Za-z0-9_.-]+)$/.test(s) || _('Expecting basic, query, or query:USER,PASS'); },
	param: function(s) { return /^[A-Za-z0-9_.-]+$/.test(s) || _('Expecting a query parameter name such as myipv6'); },
	ipport: function(s) { return ipPort(s) || _('Expecting an IP address, optionally with :port, such as 192.0.2.53 or [2001:db8::53]:53'); },
	path: function(s) { return (s[0] === '/' && !/[ #]/.test(s) && !hasControl(s)) || _('Expecting a path starting with /, without spaces or #'); },
	abspath: function(s) { return (s[0] === '/' && !hasControl(s)) || _('Expecting an absolute path'); },
	pemfile: function(s) { return (s[0] === '/' && !hasControl(s)) || _('Expecting the absolute path of a PEM file'); },
	email: function(s) { return validEmail(s) || _('Expecting an address such as me@example.com'); },
	emails: function(s) {
		return items(s).every(validEmail) || _('Expecting addresses such as me@example.com');
	},
	hostnames: function(s) {
		var seen = {}, list = items(s);
		for (var i = 0; i < list.length; i++) {
			var h = list[i].toLowerCase().replace(/\.$/, '');
			if (!validHostName(h, true) || h.indexOf('.') < 0)
				return _('Expecting a fully qualified host name such as home.example.com');
			if (seen[h])
				return _('%s is listed twice').format(h);
			seen[h] = true;
		}
		return list.length > 0 || _('Expecting a host name such as home.example.com');
	},
	uciname: function(s) { return /^[A-Za-z0-9_]*$/.test(s) || _('Expecting a logical interface name such as wan'); },
	devname: function(s) {
		return (bytesOf(s) <= 15 && s !== '.' && s !== '..' && !/[\/: \t]/.test(s) && !hasControl(s)) ||
			_('Expecting a kernel device name such as pppoe-wan (at most 15 characters)');
	},
	ipv6suffix: function(s) {
		var a = parseIP(s), zero = true, upper = true;
		if (a)
			for (var i = 0; i < 16; i++) {
				zero = zero && a.bytes[i] === 0;
				upper = upper && (i >= 8 || a.bytes[i] === 0);
			}
		return (a && a.v6 && !is4In6(a) && a.zone === '' && upper && !zero) || _('Expecting an IPv6 interface ID such as ::1234 (the upper 64 bits zero)');
	},
	lanhosts: function(s) {
		var list = items(s), named = 0;
		for (var i = 0; i < list.length; i++) {
			var host = list[i], eq = host.indexOf('=');
			if (eq >= 0) {
				var name = host.substring(0, eq).trim().toLowerCase().replace(/\.$/, '');
				if (!validHostName(name, true) || name.indexOf('.') < 0)
					return _('Expecting HOSTNAME=HOST with a fully qualified host name, such as nas.example.com=::1234');
				host = host.substring(eq + 1).trim();
				named++;
			}
			if (!lanHostIdent(host))
				return _('Expecting an interface ID (::1234), a MAC address (02:11:22:33:44:55), a DHCPv6 DUID (hex) or the host name of a DHCPv6 lease');
		}
		if (named === 0 && list.length > 1 || named > 0 && named < list.length)
			return _('Expecting one host, or a host name for each: nas.example.com=::1234');
		return true;
	},
	ips: function(s) {
		return items(s).every(function(x) { var a = parseIP(x); return a && a.zone === ''; }) || _('Expecting IP addresses');
	}
};

return baseclass.extend({
	// check returns a LuCI validate function for the option NAME of section
	// type SECTION: an empty value is an absent option (its default applies)
	// unless the option is required.
	check: function(section, name) {
		var r = rules.rules[section + '.' + name];
		if (!r || !kinds[r.kind])
			throw new Error('no rule for ' + section + '.' + name);
		return function(section_id, value) {
			if (value == null || value === '')
				return !r.required || _('Expecting a value');
			return kinds[r.kind](String(value), r);
		};
	},

	// rule returns the rule of the option NAME of section type SECTION.
	rule: function(section, name) {
		return rules.rules[section + '.' + name];
	}
});
