// Runs a LuCI view with stand-ins for LuCI's modules: load(), then render(),
// and prints what it built as JSON: sections, options (with their depends),
// commands run, the rendered page (its text, classes, buttons, top-level
// order), text that did not pass through _(), and, given a table of values,
// what each option's check says of them.
// Usage: node luci-smoke.js VIEW.js FIXTURES.json [VALUES.json]
// FIXTURES maps a command line to what fs.exec answers: {code, stdout, stderr}.
'use strict';
const fs = require('fs');
const path = require('path');
const [,, viewFile, fixturesFile, valuesFile] = process.argv;

// _() marks what it translates with an invisible character, so that text that
// reaches the page without it can be found.
const MARK = '\u2060';
global._ = (s) => MARK + s;
String.prototype.format = function() {
	let i = 0;
	const a = arguments;
	return this.replace(/%[sd]/g, () => String(a[i++]));
};
Date.prototype.toLocaleString = function() { return String(this.getTime()); }; // data, without words

const built = { sections: [], commands: [], polls: 0, labels: [], notifications: [] };
const label = (s) => { if (typeof s === 'string') built.labels.push(s); };

function E(tag, attrs, children) { return { tag, attrs, children, replaceChildren() {}, setAttribute() {}, removeAttribute() {} }; }
global.E = E;
global.document = { getElementById: () => null };

class Option {
	constructor(section, cls, name, title, descr) { this.section = section; this.cls = cls; this.name = name; this.deps = []; this.values = []; label(title); label(descr); }
	value(v, l) { this.values.push(v); label(l); }
	depends(k, v) { this.deps.push([k, v]); }
}
class Section {
	constructor(cls, args) { this.cls = cls; this.args = args; this.options = []; this.tabs = []; args.slice(cls === 'NamedSection' ? 2 : 1).forEach(label); }
	tab(name, title) { this.tabs.push(name); label(title); }
	option(cls, name, title, descr) { const o = new Option(this, cls.name, name, title, descr); this.options.push(o); return o; }
	// formvalue is what the form holds for another option of the section: in
	// the value checks, every other option is empty (the defaults apply).
	formvalue(section_id, name) { return ''; }
	taboption(tab, cls, name, title, descr) {
		if (!this.tabs.includes(tab)) throw new Error('option ' + name + ' in unknown tab ' + tab);
		return this.option(cls, name, title, descr);
	}
}
function cls(name) { const c = function() {}; Object.defineProperty(c, 'name', { value: name }); return c; }
const form = {
	Map: class { constructor(config, title, descr) { this.config = config; built.config = config; label(title); label(descr); }
		section(c, ...args) { const s = new Section(c.name, args); built.sections.push(s); return s; }
		render() { return Promise.resolve(E('form')); } },
};
for (const n of ['GridSection', 'TypedSection', 'NamedSection', 'Flag', 'Value', 'ListValue', 'DynamicList', 'Button', 'DummyValue'])
	form[n] = cls(n);
const widgets = { NetworkSelect: cls('NetworkSelect'), DeviceSelect: cls('DeviceSelect') };
const fixtures = JSON.parse(fs.readFileSync(fixturesFile, 'utf8'));
const modules = {
	view: { extend: (o) => o },
	baseclass: { extend: (o) => o },
	form, widgets,
	uci: { load: (c) => { built.uciLoad = c; return Promise.resolve(); } },
	rpc: { declare: () => { throw new Error('no ubus call expected'); } },
	fs: { exec: (cmd, args) => {
		const line = [cmd].concat(args).join(' ');
		built.commands.push(line);
		const f = fixtures[line] || {};
		if (f.reject) // as LuCI's rpc errors: the message ends in a stack
			return Promise.reject(new Error(f.reject));
		return Promise.resolve(Object.assign({ code: 0, stdout: '', stderr: '' }, f));
	} },
	ui: { createHandlerFn: (ctx, fn) => fn, addNotification: (title, body, cls) => {
		const t = []; walk(body, (s) => { if (typeof s === 'string') t.push(s); });
		built.notifications.push({ text: t.join(' ').replace(new RegExp(MARK, 'g'), ''), cls });
	} },
	poll: { add: () => { built.polls++; } },
};

// load evaluates a LuCI module: its 'require lines name what it is given.
// The app's own modules (ddns-updater.X) come from resources/ddns-updater/X.js.
const resources = path.join(path.dirname(viewFile), '..', '..');
function load(file) {
	const src = fs.readFileSync(file, 'utf8');
	const requires = [...src.matchAll(/^'require ([\w.-]+)(?: as (\w+))?';$/gm)];
	const names = requires.map(m => m[2] || m[1]);
	const values = requires.map(m => {
		const k = m[1] === 'tools.widgets' ? 'widgets' : m[1];
		if (k in modules) return modules[k];
		if (k.startsWith('ddns-updater.')) return (modules[k] = load(path.join(resources, k.replace('.', '/') + '.js')));
		throw new Error('unknown module ' + m[1]);
	});
	return new Function(...names, src)(...values);
}

// walk visits every node of a rendered tree; LuCI's E(tag, children) takes
// children in place of the attributes.
function walk(node, f) {
	if (node == null || typeof node !== 'object') { f(node, null); return; }
	if (Array.isArray(node)) { node.forEach(n => walk(n, f)); return; }
	const attrs = (typeof node.attrs === 'string' || Array.isArray(node.attrs)) ? null : node.attrs;
	f(null, node, attrs);
	walk(attrs ? node.children : node.attrs, f);
}

const view = load(viewFile);
Promise.resolve(view.load()).then((data) => view.render(data)).then((node) => {
	if (!node) throw new Error('render returned nothing');
	const texts = [], classes = [], buttons = [];
	walk(node, (text, el, attrs) => {
		if (typeof text === 'string' || typeof text === 'number') texts.push(String(text));
		if (attrs && attrs['class']) classes.push(attrs['class']);
		if (el && el.tag === 'button') {
			const t = []; walk(el.attrs && !Array.isArray(el.attrs) && typeof el.attrs !== 'string' ? el.children : el.attrs, (s) => { if (typeof s === 'string') t.push(s); });
			buttons.push({ text: t.join('').replace(new RegExp(MARK, 'g'), ''), disabled: !!attrs && attrs.disabled != null });
		}
	});
	// click every button, as a user would, and keep what each says
	const commands = built.commands.slice();
	const clicks = [];
	walk(node, (text, el, attrs) => {
		if (el && el.tag === 'button' && attrs && typeof attrs.click === 'function' && attrs.disabled == null) {
			const target = { getAttribute: (k) => attrs[k], setAttribute: (k, v) => { attrs[k] = v; }, textContent: '' };
			clicks.push(Promise.resolve(attrs.click({ target })));
		}
	});
	return Promise.all(clicks).then(() => [node, texts, classes, buttons, commands]);
}).then(([node, texts, classes, buttons, commands]) => {
	const top = Array.isArray(node.tag) ? (Array.isArray(node.attrs) ? node.attrs : node.children || []) : [node];
	const checks = {};
	if (valuesFile) {
		const table = JSON.parse(fs.readFileSync(valuesFile, 'utf8'));
		for (const s of built.sections) {
			const type = s.cls === 'NamedSection' ? s.args[1] : s.args[0];
			for (const o of s.options) {
				const e = table[type + '.' + o.name];
				if (!e || typeof o.validate !== 'function') continue;
				const judge = (v) => o.validate('cfg', v) === true;
				checks[type + '.' + o.name] = { good: (e.good || []).map(judge), bad: (e.bad || []).map(judge), router: (e.router || []).map(judge) };
			}
		}
	}
	process.stdout.write(JSON.stringify({
		config: built.config, uciLoad: built.uciLoad, polls: built.polls, commands, clicked: built.commands.slice(commands.length),
		notifications: built.notifications,
		text: texts.join(' ').replace(new RegExp(MARK, 'g'), ''),
		untranslated: texts.concat(built.labels).filter(t => !t.includes(MARK)),
		classes, buttons,
		top: top.filter(n => n && typeof n === 'object').map(n => n.tag),
		sections: built.sections.map(s => ({ cls: s.cls, args: s.args.map(a => typeof a === 'string' ? a.replace(new RegExp(MARK, 'g'), '') : a),
			options: s.options.map(o => ({ cls: o.cls, name: o.name, deps: o.deps, values: o.values, password: !!o.password, validate: typeof o.validate, datatype: o.datatype })) })),
		checks,
	}));
}).catch((e) => { console.error(e.stack || e); process.exit(1); });
