'use strict';
'require view';
'require fs';
'require ui';
'require poll';

// Every command this view runs (granted, and only these, by the ACL).
var COMMANDS = {
	log: [ '/sbin/logread', '-e', 'ddns-updater', '-l', '100' ]
};

function run(name) {
	var c = COMMANDS[name];
	return fs.exec(c[0], c.slice(1));
}

// The last 100 lines ddns-updater wrote to the system log.
function getLog() {
	return run('log').then(function(res) {
		return (res.stdout || '').trim() || _('No log lines from ddns-updater yet.');
	}).catch(function(err) {
		return _('Unable to read the log: %s').format(err.message || err);
	});
}

return view.extend({
	load: function() {
		return getLog();
	},

	render: function(text) {
		var pre = E('pre', { 'id': 'ddns-updater-log', 'style': 'white-space: pre-wrap' }, text);
		poll.add(function() {
			return getLog().then(function(t) {
				pre.textContent = t;
			});
		}, 5);
		return E([], [
			E('h2', {}, _('Dynamic DNS: log')),
			E('p', {}, _('The last 100 lines of logread -e ddns-updater, refreshed every 5 seconds.')),
			pre
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
