// Runs a LuCI view with stand-ins for LuCI's modules: load(), then render(),
// and prints what it built as JSON: sections, options (with their depends),
// commands run, the text of the rendered page. Usage: node luci-smoke.js VIEW.js STATUS.json
'use strict';
const fs = require('fs');
const [,, viewFile, statusFile] = process.argv;

String.prototype.format = function() { let i = 0; const a = arguments; return this.replace(/%s/g, () => String(a[i++])); };
global._ = (s) => s;
const built = { sections: [], commands: [], polls: 0 };

function E(tag, attrs, children) { return { tag, attrs, children, replaceChildren() {} }; }
global.E = E;
global.document = { getElementById: () => null };

class Option {
	constructor(cls, name) { this.cls = cls; this.name = name; this.deps = []; this.values = []; }
	value(v) { this.values.push(v); }
	depends(k, v) { this.deps.push([k, v]); }
}
class Section {
	constructor(cls, args) { this.cls = cls; this.args = args; this.options = []; this.tabs = []; }
	tab(name) { this.tabs.push(name); }
	option(cls, name) { const o = new Option(cls.name, name); this.options.push(o); return o; }
	taboption(tab, cls, name) {
		if (!this.tabs.includes(tab)) throw new Error('option ' + name + ' in unknown tab ' + tab);
		return this.option(cls, name);
	}
}
function cls(name) { const c = function() {}; Object.defineProperty(c, 'name', { value: name }); return c; }
const form = {
	Map: class { constructor(config) { this.config = config; built.config = config; }
		section(c, ...args) { const s = new Section(c.name, args); built.sections.push(s); return s; }
		render() { return Promise.resolve(E('form')); } },
};
for (const n of ['GridSection', 'TypedSection', 'NamedSection', 'Flag', 'Value', 'ListValue', 'DynamicList', 'Button', 'DummyValue'])
	form[n] = cls(n);
const widgets = { NetworkSelect: cls('NetworkSelect'), DeviceSelect: cls('DeviceSelect') };
const status = fs.readFileSync(statusFile, 'utf8');
const modules = {
	view: { extend: (o) => o },
	form, widgets,
	uci: { load: (c) => { built.uciLoad = c; return Promise.resolve(); } },
	rpc: { declare: () => { throw new Error('no ubus call expected'); } },
	fs: { exec: (cmd, args) => { built.commands.push([cmd].concat(args).join(' '));
		return Promise.resolve({ code: 0, stdout: args[0] === 'status' ? status : 'log line\n', stderr: '' }); } },
	ui: { createHandlerFn: (ctx, fn) => fn, addNotification: () => {} },
	poll: { add: () => { built.polls++; } },
};

// textOf gathers the strings of a rendered tree of E() nodes.
function textOf(node) {
	if (node == null) return '';
	if (typeof node === 'string') return node;
	if (Array.isArray(node)) return node.map(textOf).join(' ');
	// LuCI's E(tag, children) takes children in place of the attributes
	const kids = (typeof node.attrs === 'string' || Array.isArray(node.attrs)) ? node.attrs : node.children;
	return textOf(kids);
}

const src = fs.readFileSync(viewFile, 'utf8');
const requires = [...src.matchAll(/^'require ([\w.]+)(?: as (\w+))?';$/gm)];
const names = requires.map(m => m[2] || m[1]);
const values = requires.map(m => { const k = m[1] === 'tools.widgets' ? 'widgets' : m[1]; if (!(k in modules)) throw new Error('unknown module ' + m[1]); return modules[k]; });
const view = new Function(...names, src)(...values);
Promise.resolve(view.load()).then((data) => view.render(data)).then((node) => {
	if (!node) throw new Error('render returned nothing');
	process.stdout.write(JSON.stringify({
		config: built.config, uciLoad: built.uciLoad, polls: built.polls, commands: built.commands, text: textOf(node),
		sections: built.sections.map(s => ({ cls: s.cls, args: s.args,
			options: s.options.map(o => ({ cls: o.cls, name: o.name, deps: o.deps, values: o.values, password: !!o.password, validate: typeof o.validate, datatype: o.datatype })) })),
	}));
}).catch((e) => { console.error(e.stack || e); process.exit(1); });
