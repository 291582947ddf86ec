'use strict';
'require view';
'require fs';
'require ui';
'require poll';

// Every command this view runs (granted, and only these, by the ACL).
var COMMANDS = {
	log: [ '/sbin/logread', '-e', 'ddns-updater' ]
};

// LINES is how many of the last matching lines the view shows. logread's own
// -l takes the last lines of the whole log before -e filters them, so that a
// busy log would leave none: the view filters first, then keeps the last.
var LINES = 100;

function run(name) {
	var c = COMMANDS[name];
	return fs.exec(c[0], c.slice(1));
}

// The last LINES lines ddns-updater wrote to the system log.
function getLog() {
	return run('log').then(function(res) {
		var lines = (res.stdout || '').split('\n').filter(function(l) { return l !== ''; });
		return lines.slice(-LINES).join('\n') || _('No log lines from ddns-updater yet.');
	}).catch(function(err) {
		return _('Unable to read the log: %s').format(String((err && err.message) || err).split('\n')[0]);
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
			E('p', {}, _('The last %d lines of logread -e ddns-updater, refreshed every 5 seconds.').format(LINES)),
			pre
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
