'use strict';
'require view';
'require form';
'require uci';
'require rpc';
'require fs';
'require ui';
'require poll';
'require tools.widgets as widgets';

// Every command this view runs, and the only place it names them: the ACL
// (root/usr/share/rpcd/acl.d/luci-app-ddns-updater.json) grants exactly these.
var COMMANDS = {
	status:    [ '/usr/bin/ddns-updater', 'status', '--json' ],
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

function getStatus() {
	return run('status').then(function(res) {
		if (res.code !== 0)
			throw new Error(res.stderr || res.stdout || 'ddns-updater status failed');
		return JSON.parse(res.stdout);
	}).catch(function(err) {
		return { error: String(err.message || err), profiles: [] };
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

// What the user must do, in plain words, for the stop reason the program reports.
function stopText(stop) {
	if (!stop)
		return null;
	if (stop.lifted)
		return _('Stopped by %s; the settings have changed since, so the next check resumes.').format(stop.code);
	return _('%s: %s — edit the profile; updates resume after saving.').format(stop.code, stop.meaning);
}

function renderStatus(data) {
	if (data.error)
		return E('div', { 'class': 'alert-message warning' }, [ _('Status unavailable: %s').format(data.error) ]);

	var rows = [
		E('tr', { 'class': 'tr table-titles' }, [
			E('th', { 'class': 'th' }, _('Profile')),
			E('th', { 'class': 'th' }, _('Host names')),
			E('th', { 'class': 'th' }, _('IP source')),
			E('th', { 'class': 'th' }, _('Observed now')),
			E('th', { 'class': 'th' }, _('Registered')),
			E('th', { 'class': 'th' }, _('Last update')),
			E('th', { 'class': 'th' }, _('Next check')),
			E('th', { 'class': 'th' }, _('State'))
		])
	];

	(data.profiles || []).forEach(function(p) {
		var source = p.ip_source + (p.device ? ' (' + p.device + ')' : (p.interface ? ' (' + p.interface + ')' : ''));
		var state;
		if (p.problems && p.problems.length)
			state = E('span', { 'class': 'label warning' }, p.problems.join('; '));
		else if (p.stop)
			state = E('span', { 'class': 'label important' }, stopText(p.stop));
		else if (p.wait_until)
			state = _('Waiting until %s (after %s)').format(when(p.wait_until), p.last_answer);
		else if (!p.enabled)
			state = _('Disabled');
		else
			state = p.last_check || _('Not checked yet');

		rows.push(E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td' }, p.name),
			E('td', { 'class': 'td' }, (p.hostnames || []).join(', ')),
			E('td', { 'class': 'td' }, source),
			E('td', { 'class': 'td' }, addrs(p.observed)),
			E('td', { 'class': 'td' }, addrs(p.registered) + (p.registered_at ? ' — ' + when(p.registered_at) : '')),
			E('td', { 'class': 'td' }, p.last_update ? when(p.last_update) + ': ' + p.last_answer : '—'),
			E('td', { 'class': 'td' }, p.stop ? '—' : when(p.next_check)),
			E('td', { 'class': 'td' }, state)
		]));
	});

	var table = E('table', { 'class': 'table' }, rows);
	if (data.running === false)
		return E('div', {}, [
			E('div', { 'class': 'alert-message warning' }, [ _('The service is not running: nothing is checked until it starts (Restart service below).') ]),
			table
		]);
	return table;
}

function runAndReport(title, name) {
	return run(name).then(function(res) {
		var out = (res.stdout || '') + (res.stderr || '');
		ui.addNotification(title, E('pre', {}, out || _('Done.')), res.code === 0 ? 'info' : 'warning');
	}).catch(function(err) {
		ui.addNotification(title, E('p', {}, String(err.message || err)), 'danger');
	});
}

// A host with an optional port: name, name:port, IPv4[:port], [IPv6][:port].
function validHostPort(section_id, value) {
	if (value == null || value === '')
		return true;
	if (/^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(value) || /^[0-9a-fA-F]*:[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/.test(value))
		return true;
	if (/^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)*(:\d{1,5})?$/.test(value))
		return true;
	return _('Expecting a host name or IP address, optionally with :port');
}

// An IP address with an optional port: 192.0.2.53, 192.0.2.53:53, [2001:db8::53]:53.
function validIPPort(section_id, value) {
	if (value == null || value === '' || /^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/.test(value) ||
	    /^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(value) || /^[0-9a-fA-F]*:[0-9a-fA-F:]*:[0-9a-fA-F:.]*$/.test(value))
		return true;
	return _('Expecting an IP address, optionally with :port');
}

// Options that matter only when the address comes from a device, or from the web.
function forDevice(o) {
	o.depends('ip_source', 'interface');
	o.depends('ip_source', 'auto');
}

function forWeb(o) {
	o.depends('ip_source', 'web');
	o.depends('ip_source', 'auto');
}

function validDuration(section_id, value) {
	if (value == null || value === '' || /^\d+$/.test(value) || /^(\d+[smhdw])+$/.test(value))
		return true;
	return _('Expecting seconds or a duration such as 600, 10m, 2h, 25d');
}

function validPath(section_id, value) {
	if (value == null || value === '' || /^\/[^\s#]*$/.test(value))
		return true;
	return _('Expecting a path starting with /');
}

function validAbsFile(section_id, value) {
	if (value == null || value === '' || /^\/\S+$/.test(value))
		return true;
	return _('Expecting an absolute path');
}

function validEmail(section_id, value) {
	if (value == null || value === '' || /^[^\s@<>",;()\[\]\\]+@[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(value))
		return true;
	return _('Expecting an address such as me@example.com');
}

return view.extend({
	load: function() {
		return Promise.all([ getStatus(), getAutostart(), uci.load('ddns-updater') ]);
	},

	render: function(data) {
		var status = data[0], autostart = data[1];
		var m, s, o;

		var statusNode = E('div', { 'id': 'ddns-updater-status' }, renderStatus(status));
		poll.add(function() {
			return getStatus().then(function(st) {
				var node = document.getElementById('ddns-updater-status');
				if (node)
					node.replaceChildren(renderStatus(st));
			});
		}, 5);

		var buttons = E('div', { 'class': 'cbi-section' }, [
			E('button', { 'class': 'btn cbi-button cbi-button-action', 'click': ui.createHandlerFn(this, function() {
				return runAndReport(_('Check now'), 'update');
			}) }, _('Check now')),
			' ',
			E('button', { 'class': 'btn cbi-button cbi-button-reload', 'click': ui.createHandlerFn(this, function() {
				return runAndReport(_('Restart service'), 'restart');
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

		m = new form.Map('ddns-updater', _('Dynamic DNS'),
			_('ddns-updater keeps host names pointing at this router\'s public address (dyndns2). It reads the address from the WAN device, or from a checkip server behind NAT, and never gets the account blocked.'));

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

		o = s.taboption('general', form.Value, 'server', _('Update server'), _('The provider\'s dyndns2 server, e.g. members.dyndns.org'));
		o.datatype = 'string';
		o.validate = validHostPort;
		o.rmempty = false;

		o = s.taboption('general', form.DynamicList, 'hostname', _('Host names'));
		o.datatype = 'hostname';
		o.rmempty = false;

		o = s.taboption('general', form.Value, 'username', _('Username'));
		o.rmempty = false;
		o.modalonly = true;

		o = s.taboption('general', form.Value, 'password', _('Password'));
		o.password = true;
		o.rmempty = false;
		o.modalonly = true;

		o = s.taboption('general', form.Value, 'server_path', _('Update path'));
		o.placeholder = '/nic/update';
		o.validate = validPath;
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
		o.value('4', 'IPv4');
		o.value('6', 'IPv6');
		o.value('both', _('IPv4 and IPv6'));
		o.default = '4';
		o.modalonly = true;

		o = s.taboption('address', widgets.NetworkSelect, 'interface', _('Interface'), _('The logical interface whose device holds the public address.'));
		o.nocreate = true;
		o.default = 'wan';
		o.datatype = 'uciname';
		forDevice(o);
		o.modalonly = true;

		o = s.taboption('address', widgets.DeviceSelect, 'device', _('Device'), _('A kernel device instead of the interface, e.g. pppoe-wan.'));
		o.noaliases = true;
		o.optional = true;
		o.datatype = 'maxlength(15)';
		forDevice(o);
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'ipv6_suffix', _('IPv6 interface ID'), _('Publish the device\'s /64 prefix with this interface ID, e.g. ::1234.'));
		o.datatype = 'ip6addr';
		o.depends('ip_version', '6');
		o.depends('ip_version', 'both');
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'external_ip_server', _('checkip server'));
		o.placeholder = 'checkip.dyndns.com';
		o.validate = validHostPort;
		forWeb(o);
		o.modalonly = true;

		o = s.taboption('address', form.Value, 'external_ip_server_path', _('checkip path'));
		o.placeholder = '/';
		o.validate = validPath;
		forWeb(o);
		o.modalonly = true;

		o = s.taboption('address', form.Flag, 'use_regex', _('Search the checkip answer'), _('Find the address anywhere in the answer; off: the answer is just the address.'));
		o.default = o.enabled;
		forWeb(o);
		o.modalonly = true;

		o = s.taboption('address', form.Flag, 'allow_private', _('Allow private addresses'), _('Publish private, CGNAT and ULA addresses.'));
		o.default = o.disabled;
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'check_interval', _('Check interval'), _('Without an address change: 600, 10m, 2h (at least 5m with a checkip server).'));
		o.placeholder = '10m';
		o.validate = validDuration;
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'force_interval', _('Force interval'), _('Re-send an unchanged address after this long (at least 1d; 0: never).'));
		o.placeholder = '25d';
		o.validate = validDuration;
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'user_agent', _('User agent'));
		o.placeholder = 'ddns-updater/VERSION (OpenWrt; linux/ARCH)';
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'dns_server', _('DNS server'), _('Asked for the current records at start-up; empty: the system resolver.'));
		o.validate = validIPPort;
		o.modalonly = true;

		o = s.taboption('advanced', form.Value, 'ca_file', _('Extra CA certificates'), _('A PEM file of extra trusted root certificates.'));
		o.validate = validAbsFile;
		o.modalonly = true;

		o = s.taboption('advanced', form.Flag, 'notify', _('Mail about this profile'));
		o.default = o.enabled;
		o.modalonly = true;

		o = s.taboption('advanced', form.DynamicList, 'ip', _('Last registered address (legacy)'), _('Written by the original DDNS Updater; read once when no state exists.'));
		o.datatype = 'ipaddr';
		o.modalonly = true;

		// ---- mail ----
		s = m.section(form.NamedSection, 'mail', 'mail', _('Mail'), _('Mail for updates and errors, only when something changes.'));
		s.addremove = true;

		o = s.option(form.Flag, 'notify', _('Send mail'));
		o.default = o.disabled;

		o = s.option(form.Value, 'smtp_server', _('SMTP server'));
		o.datatype = 'host';

		o = s.option(form.Value, 'port', _('Port'), _('465: TLS from the start; 587 and others: STARTTLS (required).'));
		o.datatype = 'port';
		o.placeholder = '587';

		o = s.option(form.Value, 'username', _('Username'));

		o = s.option(form.Value, 'password', _('Password'));
		o.password = true;

		o = s.option(form.DynamicList, 'recipient', _('Recipients'));
		o.validate = validEmail;

		o = s.option(form.Value, 'sender', _('Sender'), _('Default: the username, when it is an address.'));
		o.validate = validEmail;

		o = s.option(form.Flag, 'tls', _('TLS'), _('Off only for a relay on 127.0.0.1 or ::1.'));
		o.default = o.enabled;

		o = s.option(form.Value, 'ca_file', _('Extra CA certificates'));
		o.validate = validAbsFile;

		o = s.option(form.Value, 'alert_after', _('Alert after'), _('How long failures last before one mail says so.'));
		o.placeholder = '1h';
		o.validate = validDuration;

		o = s.option(form.Button, '_test_mail', _('Test'), _('Sends with the saved settings: save and apply first.'));
		o.inputtitle = _('Send test mail');
		o.inputstyle = 'action';
		o.onclick = function() {
			return runAndReport(_('Send test mail'), 'testmail');
		};

		// ---- global ----
		s = m.section(form.NamedSection, 'global', 'global', _('Global'));
		s.addremove = true;

		o = s.option(form.Value, 'state_dir', _('State directory'));
		o.placeholder = '/var/run/ddns-updater';
		o.validate = validAbsFile;

		o = s.option(form.ListValue, 'log_level', _('Log level'));
		o.value('error', _('error'));
		o.value('warn', _('warn'));
		o.value('info', _('info'));
		o.value('debug', _('debug'));
		o.default = 'info';

		return m.render().then(function(formNode) {
			return E([], [
				E('div', { 'class': 'cbi-section' }, [ E('h3', {}, _('Status')), statusNode, buttons ]),
				formNode
			]);
		});
	}
});
