'use strict';
'require view';
'require form';
'require uci';
'require fs';
'require ui';
'require poll';
'require tools.widgets as widgets';
'require ddns-updater.validate as validate';

// Every command this view runs, and the only place it names them: the ACL
// (root/usr/share/rpcd/acl.d/luci-app-ddns-updater.json) grants exactly these.
var COMMANDS = {
	status:    [ '/usr/bin/ddns-updater', 'status', '--json' ],
	check:     [ '/usr/bin/ddns-updater', '--check' ],
	testmail:  [ '/usr/bin/ddns-updater', '--test-mail' ],
	update:    [ '/etc/init.d/ddns-updater', 'update' ],
	restart:   [ '/etc/init.d/ddns-updater', 'restart' ],
	enabled:   [ '/etc/init.d/ddns-updater', 'enabled' ],
	enable:    [ '/etc/init.d/ddns-updater', 'enable' ],
	disable:   [ '/etc/init.d/ddns-updater', 'disable' ]
};

function run(name) {
	var c = COMMANDS[name];
	return fs.exec(c[0], c.slice(1));
}

// errText is an error's message without the stack LuCI appends to it.
function errText(err) {
	return String((err && err.message) || err).split('\n')[0];
}

function getStatus() {
	return run('status').then(function(res) {
		if (res.code !== 0)
			throw new Error(res.stderr || res.stdout || _('ddns-updater status failed'));
		return JSON.parse(res.stdout);
	}).catch(function(err) {
		return { error: errText(err), profiles: [] };
	});
}

// getProblems is what `ddns-updater --check` says is wrong with the saved
// configuration: its error and warning lines. After Save & Apply the page
// loads anew, so what the daemon would refuse shows at its top.
function getProblems() {
	return run('check').then(function(res) {
		return (res.stdout + '\n' + res.stderr).split('\n').filter(function(l) {
			return /^(error|warn): /.test(l);
		}).map(function(l) {
			return l.replace(/^(error|warn): /, '');
		});
	}).catch(function(err) {
		return [ errText(err) ];
	});
}

function getAutostart() {
	return run('enabled').then(function(res) {
		return res.code === 0;
	}).catch(function() { return false; });
}

function when(t) {
	if (!t)
		return '—';
	var d = new Date(t);
	return d.toLocaleString();
}

function addrs(list) {
	return (list && list.length) ? list.join(', ') : '—';
}

// runs: the profiles the daemon runs (enabled, without configuration errors).
function runs(status) {
	return (status.profiles || []).filter(function(p) {
		return p.enabled && !(p.problems && p.problems.length);
	}).length;
}

// What the user must do, in plain words, for the stop reason the program reports.
function stopText(stop) {
	if (stop.lifted)
		return _('Stopped by %s; the settings have changed since, so the next check resumes.').format(stop.code);
	return _('Stopped: the provider answered %s (%s). Edit the profile; updates resume after saving.').format(stop.code, stop.meaning);
}

// stateText says in words where a profile stands.
function stateText(p) {
	if (p.problems && p.problems.length)
		return _('Configuration error, the profile does not run: %s').format(p.problems.join('; '));
	if (p.stop)
		return stopText(p.stop);
	if (p.wait_until)
		return _('Waiting until %s (after %s).').format(when(p.wait_until), p.last_answer);
	var last = p.checked_at ? _('Last check %s: %s').format(when(p.checked_at), p.last_check) : '';
	if (!p.enabled)
		return last ? _('Disabled. %s').format(last) : _('Disabled.');
	return last || _('Not checked yet.');
}

function renderStatus(data) {
	if (data.error)
		return E('div', { 'class': 'alert-message warning' }, [ _('Status unavailable: %s').format(data.error) ]);

	var rows = [
		E('tr', { 'class': 'tr table-titles' }, [
			E('th', { 'class': 'th' }, _('Profile')),
			E('th', { 'class': 'th' }, _('Host names')),
			E('th', { 'class': 'th' }, _('IP source')),
			E('th', { 'class': 'th' }, _('Observed')),
			E('th', { 'class': 'th' }, _('Registered')),
			E('th', { 'class': 'th' }, _('Last update')),
			E('th', { 'class': 'th' }, _('Next check')),
			E('th', { 'class': 'th' }, _('State'))
		])
	];

	(data.profiles || []).forEach(function(p) {
		var source = p.ip_source + (p.device ? ' (' + p.device + ')' : (p.interface ? ' (' + p.interface + ')' : ''));
		var next = data.running ? (p.stop ? '—' : when(p.next_check)) : _('not running');
		rows.push(E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td' }, p.name),
			E('td', { 'class': 'td' }, (p.hostnames || []).join(', ')),
			E('td', { 'class': 'td' }, source),
			E('td', { 'class': 'td' }, addrs(p.observed)),
			E('td', { 'class': 'td' }, addrs(p.registered) + (p.registered_at ? ' — ' + when(p.registered_at) : '')),
			E('td', { 'class': 'td' }, p.last_update ? when(p.last_update) + ': ' + p.last_answer : '—'),
			E('td', { 'class': 'td' }, next),
			// normal wrapping text: a badge would run off the page in capitals
			E('td', { 'class': 'td', 'style': 'white-space: normal; overflow-wrap: anywhere' }, stateText(p))
		]));
	});

	return E('div', {}, [
		data.running
			? E('p', {}, [ E('strong', {}, _('Running')), ' — ', _('checks every enabled profile on address changes, on hotplug events and by its timer.') ])
			: E('div', { 'class': 'alert-message warning' }, [ E('strong', {}, _('Not running')), ' — ', _('nothing is checked until the service starts (Restart service below).') ]),
		E('table', { 'class': 'table' }, rows)
	]);
}

// report shows what a command did: ok when it succeeded, else its output.
function report(title, name, ok) {
	return run(name).then(function(res) {
		var out = ((res.stdout || '') + (res.stderr || '')).trim();
		if (res.code === 0)
			ui.addNotification(title, E('p', {}, ok || out), 'info');
		else
			ui.addNotification(title, E('pre', { 'style': 'white-space: pre-wrap' }, out || _('Failed with exit status %d.').format(res.code)), 'warning');
	}).catch(function(err) {
		ui.addNotification(title, E('p', {}, errText(err)), 'danger');
	});
}

// Options that matter only when the address comes from a device or from the
// web, or when an IPv6 address is published.
function forDevice(o) {
	o.depends('ip_source', 'interface');
	o.depends('ip_source', 'auto');
}

function forIPv6(o) {
	o.depends('ip_version', '6');
	o.depends('ip_version', 'both');
}

function forWeb(o) {
	o.depends('ip_source', 'web');
	o.depends('ip_source', 'auto');
}

return view.extend({
	load: function() {
		return Promise.all([ getStatus(), getAutostart(), getProblems(), uci.load('ddns-updater') ]);
	},

	render: function(data) {
		var status = data[0], autostart = data[1], problems = data[2];
		var m, s, o;

		var checkButton = E('button', { 'class': 'btn cbi-button cbi-button-action', 'disabled': status.running ? null : '', 'click': ui.createHandlerFn(this, function() {
			return report(_('Check now'), 'update', _('Check started for %d profile(s).').format(runs(status)));
		}) }, _('Check now'));
		var statusNode = E('div', { 'id': 'ddns-updater-status' }, renderStatus(status));
		poll.add(function() {
			return getStatus().then(function(st) {
				status = st;
				var node = document.getElementById('ddns-updater-status');
				if (node)
					node.replaceChildren(renderStatus(st));
				if (st.running)
					checkButton.removeAttribute('disabled');
				else
					checkButton.setAttribute('disabled', '');
			});
		}, 5);

		var buttons = E('div', { 'class': 'cbi-section' }, [
			checkButton,
			' ',
			E('button', { 'class': 'btn cbi-button cbi-button-reload', 'click': ui.createHandlerFn(this, function() {
				return report(_('Restart service'), 'restart', _('The service was restarted.'));
			}) }, _('Restart service')),
			' ',
			E('button', { 'class': 'btn cbi-button', 'click': ui.createHandlerFn(this, function(ev) {
				var on = ev.target.getAttribute('data-enabled') === 'true';
				return run(on ? 'disable' : 'enable').then(function() {
					ev.target.setAttribute('data-enabled', on ? 'false' : 'true');
					ev.target.textContent = on ? _('Enable autostart') : _('Disable autostart');
				});
			}), 'data-enabled': autostart ? 'true' : 'false' }, autostart ? _('Disable autostart') : _('Enable autostart'))
		]);

		m = new form.Map('ddns-updater');

		// ---- profiles ----
		s = m.section(form.GridSection, 'profile', _('Profiles'));
		s.addremove = true;
		s.anonymous = false;
		s.nodescriptions = true;
		s.modaltitle = function(section_id) { return _('Profile') + ' » ' + section_id; };
		s.tab('general', _('General'));
		s.tab('address', _('Address'));
		s.tab('advanced', _('Advanced'));

		o = s.taboption('general', form.Flag, 'enabled', _('Enabled'));
		o.editable = true;
		o.default = o.disabled;

		o = s.taboption('general', form.ListValue, 'service', _('Provider'), _('A provider by name fills the server, the path and its own ways (ddns-updater services lists them); fields set below override it.'));
		o.value('', _('custom: the server and path below'));
		validate.rule('profile', 'service').choices.forEach(function(name) { o.value(name, name); });
		o.validate = validate.check('profile', 'service');

		o = s.taboption('general', form.Value, 'server', _('Update server'), _('The provider\'s dyndns2 server, e.g. members.dyndns.org; empty with a provider chosen above: the provider\'s.'));
		o.validate = (function(check) {
			return function(section_id, value) {
				if ((value == null || value === '') && this.section.formvalue(section_id, 'service'))
					return true;
				return check.apply(this, arguments);
			};
		})(validate.check('profile', 'server'));

		o = s.taboption('general', form.DynamicList, 'hostname', _('Host names'));
		o.validate = (function(check) {
			return function(section_id, value) {
				// LAN hosts given as HOSTNAME=HOST name their own host names
				var hosts = this.section.formvalue(section_id, 'lan_host');
				if ((value == null || value === '') && [].concat(hosts || []).some(function(h) { return String(h).indexOf('=') >= 0; }))
					return true;
				return check.apply(this, arguments);
			};
		})(validate.check('profile', 'hostname'));

		o = s.taboption('general', form.Value, 'username', _('Username'));
		o.validate = validate.check('profile', 'username');
		o.rmempty = false;
		o.modalonly = true;

		o = s.taboption('general', form.Value, 'password', _('Password'));
		o.validate = validate.check('profile', 'password');
		o.password = true;
		o.rmempty = false;
		o.modalonly = true;

		o = s.taboption('general', form.Value, 'server_path', _('Update path'));
		o.validate = validate.check('profile', 'server_path');
		o.placeholder = '/nic/update';
		o.modalonly = true;

		o = s.taboption('general', form.Flag, 'use_https', _('Use HTTPS'), _('Without HTTPS the password travels in clear text.'));
		o.default = o.enabled;
		o.modalonly = true;

		o = s.taboption('address', form.ListValue, 'ip_source', _('IP source'));
		o.value('auto', _('auto: the WAN device, or checkip behind NAT'));
		o.value('interface', _('interface: the device only'));
		o.value('web', _('web: a checkip server only'));
		o.default = 'auto';

		o = s.taboption('address', form.ListValue, 'ip_version', _('IP version'));
		o.value('4', _('IPv4'));
		o.value('6', _('IPv6'));
		o.value('both', _('IPv4 and IPv6'));
		o.default = '4';
		o.modalonly = true;

		o = s.taboption('address', form.ListValue, 'dual_stack', _('Both families'), _('How the IPv4 and the IPv6 address travel. Separate requests are what every dyndns2 server takes; choose another only when the provider says so.'));
		o.value('', _('default: the provider\'s way, else separate requests'));
		o.value('separate', _('separate requests (myip=IPv4, then myip=IPv6)'));
		o.value('comma', _('one request, myip=IPv4,IPv6 (Dyn)'));
		o.value('param', _('one request, IPv6 in its own parameter'));
		o.default = '';
		o.depends('ip_version', 'both');
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'dual_stack_param', _('IPv6 parameter'), _('The query parameter that carries the IPv6 address, e.g. myipv6.'));
		o.validate = validate.check('profile', 'dual_stack_param');
		o.placeholder = 'myipv6';
		o.depends('dual_stack', 'param');
		o.modalonly = true;

		o = s.taboption('address', widgets.NetworkSelect, 'interface', _('Interface'), _('The logical interface whose device holds the public address.'));
		o.validate = validate.check('profile', 'interface');
		o.nocreate = true;
		o.default = 'wan';
		forDevice(o);
		o.modalonly = true;

		o = s.taboption('address', widgets.DeviceSelect, 'device', _('Device'), _('A kernel device instead of the interface, e.g. pppoe-wan.'));
		o.validate = validate.check('profile', 'device');
		o.noaliases = true;
		o.optional = true;
		forDevice(o);
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'ipv6_suffix', _('IPv6 interface ID'), _('Publish the device\'s /64 prefix with this interface ID, e.g. ::1234.'));
		o.validate = validate.check('profile', 'ipv6_suffix');
		forIPv6(o);
		o.modalonly = true;

		o = s.taboption('address', form.DynamicList, 'lan_host', _('LAN host'), _('Publish a host behind the router instead of the router, by its IPv6 address in the LAN\'s delegated prefix: its interface ID (::1234), its MAC address (SLAAC hosts), or the host name or DUID of its DHCPv6 lease. Several hosts: one entry each, as nas.example.com=::1234.'));
		o.validate = validate.check('profile', 'lan_host');
		forIPv6(o);
		o.modalonly = true;

		o = s.taboption('address', widgets.NetworkSelect, 'lan_interface', _('LAN interface'), _('The logical interface whose assigned prefix the LAN host\'s address is in.'));
		o.validate = validate.check('profile', 'lan_interface');
		o.nocreate = true;
		o.default = 'lan';
		forIPv6(o);
		o.modalonly = true;

		o = s.taboption('address', form.Flag, 'lan_prefix', _('Publish the LAN prefix'), _('Send the LAN\'s prefix (2001:db8:4400::/64) instead of an address, for providers that work out their hosts\' addresses from it.'));
		forIPv6(o);
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'prefix_param', _('Prefix parameter'), _('The query parameter that carries the prefix, e.g. ipv6prefix.'));
		o.validate = validate.check('profile', 'prefix_param');
		o.placeholder = 'ipv6prefix';
		o.depends('lan_prefix', '1');
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'external_ip_server', _('checkip server'), _('A host name, or a URL such as http://checkip.example.com/checkip.php whose scheme decides for checkip alone.'));
		o.validate = validate.check('profile', 'external_ip_server');
		o.placeholder = 'checkip.dyndns.com';
		forWeb(o);
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'external_ip_server_path', _('checkip path'));
		o.validate = validate.check('profile', 'external_ip_server_path');
		o.placeholder = '/';
		forWeb(o);
		o.modalonly = true;

		o = s.taboption('address', form.Flag, 'use_regex', _('Search the checkip answer'), _('Find the address anywhere in the answer; off: the answer is just the address.'));
		o.default = o.enabled;
		forWeb(o);
		o.modalonly = true;

		o = s.taboption('address', form.Flag, 'allow_private', _('Allow private addresses'), _('Publish private, CGNAT and ULA addresses.'));
		o.default = o.disabled;
		o.modalonly = true;

		o = s.taboption('address', form.Flag, 'bind', _('Leave through this interface'), _('Send the checkip request and the update out through the interface\'s device, whatever the routing policy (mwan3) says.'));
		o.default = o.enabled;
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'check_interval', _('Check interval'), _('Without an address change: 600, 10m, 2h (at least 5m with a checkip server).'));
		o.validate = validate.check('profile', 'check_interval');
		o.placeholder = '10m';
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'force_interval', _('Force interval'), _('Re-send an unchanged address after this long (at least 1d; 0: never).'));
		o.validate = validate.check('profile', 'force_interval');
		o.placeholder = '25d';
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'auth', _('Credentials'), _('basic: HTTP Basic authentication; query: username= and password= in the URL; query:USER,PASS names the two parameters. Empty: the provider\'s way, else basic.'));
		o.value('basic', _('basic (HTTP Basic authentication)'));
		o.value('query', _('query (username= and password= in the URL)'));
		o.validate = validate.check('profile', 'auth');
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'min_interval', _('Minimum interval'), _('The shortest time between two updates sent, for providers that limit them (e.g. 30m). Empty: the provider\'s, else none.'));
		o.validate = validate.check('profile', 'min_interval');
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'user_agent', _('User agent'));
		o.validate = validate.check('profile', 'user_agent');
		o.placeholder = 'ddns-updater/VERSION (OpenWrt; linux/ARCH)';
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'dns_server', _('DNS server'), _('Asked for the current records at start-up; empty: the system resolver.'));
		o.validate = validate.check('profile', 'dns_server');
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'ca_file', _('Extra CA certificates'), _('A PEM file of extra trusted root certificates.'));
		o.validate = validate.check('profile', 'ca_file');
		o.modalonly = true;

		o = s.taboption('advanced', form.Flag, 'notify', _('Mail about this profile'));
		o.default = o.enabled;
		o.modalonly = true;

		o = s.taboption('advanced', form.DynamicList, 'ip', _('Last registered address (legacy)'), _('Written by the original DDNS Updater; read once when no state exists.'));
		o.validate = validate.check('profile', 'ip');
		o.modalonly = true;

		// ---- mail ----
		s = m.section(form.NamedSection, 'mail', 'mail', _('Mail'), _('Mail for updates and errors, only when something changes.'));
		s.addremove = true;

		o = s.option(form.Flag, 'notify', _('Send mail'));
		o.default = o.disabled;

		o = s.option(form.Value, 'smtp_server', _('SMTP server'));
		o.validate = validate.check('mail', 'smtp_server');

		o = s.option(form.Value, 'port', _('Port'), _('465: TLS from the start; 587 and others: STARTTLS (required).'));
		o.validate = validate.check('mail', 'port');
		o.placeholder = '587';

		o = s.option(form.Value, 'username', _('Username'));
		o.validate = validate.check('mail', 'username');

		o = s.option(form.Value, 'password', _('Password'));
		o.validate = validate.check('mail', 'password');
		o.password = true;

		o = s.option(form.DynamicList, 'recipient', _('Recipients'));
		o.validate = validate.check('mail', 'recipient');

		o = s.option(form.Value, 'sender', _('Sender'), _('Default: the username, when it is an address.'));
		o.validate = validate.check('mail', 'sender');

		o = s.option(form.Flag, 'tls', _('TLS'), _('Off only for a relay on 127.0.0.1 or ::1.'));
		o.default = o.enabled;

		o = s.option(form.Value, 'ca_file', _('Extra CA certificates'));
		o.validate = validate.check('mail', 'ca_file');

		o = s.option(form.Value, 'alert_after', _('Alert after'), _('How long failures last before one mail says so.'));
		o.validate = validate.check('mail', 'alert_after');
		o.placeholder = '1h';

		o = s.option(form.Button, '_test_mail', _('Test'), _('Sends with the saved settings: save and apply first.'));
		o.inputtitle = _('Send test mail');
		o.inputstyle = 'action';
		o.onclick = function() {
			return report(_('Send test mail'), 'testmail');
		};

		// ---- global ----
		s = m.section(form.NamedSection, 'global', 'global', _('Global'));
		s.addremove = true;

		o = s.option(form.Value, 'state_dir', _('State directory'));
		o.validate = validate.check('global', 'state_dir');
		o.placeholder = '/var/run/ddns-updater';

		o = s.option(form.ListValue, 'log_level', _('Log level'));
		o.value('error', _('error'));
		o.value('warn', _('warn'));
		o.value('info', _('info'));
		o.value('debug', _('debug'));
		o.default = 'info';

		o = s.option(form.Flag, 'seccomp', _('System-call filter'), _('Run the daemon, and ubus and the hooks it starts, under /etc/seccomp/ddns-updater.json.'));
		o.default = o.disabled;

		return m.render().then(function(formNode) {
			return E([], [
				E('h2', {}, _('Dynamic DNS')),
				E('div', { 'class': 'cbi-map-descr' }, _('ddns-updater keeps host names pointing at this router\'s public address (dyndns2). It reads the address from the WAN device, or from a checkip server behind NAT, and never gets the account blocked.')),
				problems.length ? E('div', { 'class': 'alert-message warning' }, [
					E('strong', {}, _('The saved configuration has problems (ddns-updater --check):')),
					E('ul', {}, problems.map(function(l) { return E('li', {}, l); }))
				]) : '',
				E('div', { 'class': 'cbi-section' }, [ E('h3', {}, _('Status')), statusNode, buttons ]),
				formNode
			]);
		});
	}
});
