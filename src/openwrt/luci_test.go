package openwrt

import (
	"ddns-updater/src/service"

	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"ddns-updater/src/config"
)

const luciApp = "luci/luci-app-ddns-updater"

func views(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(repoFile(luciApp + "/htdocs/luci-static/resources/view/ddns-updater/*.js"))
	if len(files) < 2 {
		t.Fatalf("views: %v", files)
	}
	out := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = string(data)
	}
	return out
}

// TestViewsParse runs node --check on every view, wrapped in a function as
// LuCI's loader wraps it (a view ends in a top-level return).
func TestViewsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("needs Node.js for node --check")
	}
	for name, src := range resources(t) {
		if !strings.HasPrefix(src, "'use strict';\n'require view';") && !strings.HasPrefix(src, "'use strict';\n'require baseclass';") {
			t.Errorf("%s: a LuCI view starts with 'use strict' and 'require view', a module with 'require baseclass'", name)
		}
		name = strings.ReplaceAll(name, "/", "_")
		f := filepath.Join(t.TempDir(), name)
		os.WriteFile(f, []byte("(function() {\n"+src+"\n});\n"), 0o644)
		if out, err := command(t, node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
}

// resources are the app's JavaScript files: the views and their modules.
func resources(t *testing.T) map[string]string {
	t.Helper()
	out := views(t)
	files, _ := filepath.Glob(repoFile(luciApp + "/htdocs/luci-static/resources/ddns-updater/*.js"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out["ddns-updater/"+filepath.Base(f)] = string(data)
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(repoFile(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestMenu(t *testing.T) {
	var menu map[string]struct {
		Title  string `json:"title"`
		Action struct {
			Type string `json:"type"`
			Path string `json:"path"`
		} `json:"action"`
		Depends struct {
			ACL []string        `json:"acl"`
			UCI map[string]bool `json:"uci"`
		} `json:"depends"`
	}
	readJSON(t, luciApp+"/root/usr/share/luci/menu.d/luci-app-ddns-updater.json", &menu)
	top, ok := menu["admin/services/ddns-updater"]
	if !ok || top.Title != "Dynamic DNS" || len(top.Depends.ACL) != 1 || top.Depends.ACL[0] != "luci-app-ddns-updater" || !top.Depends.UCI["ddns-updater"] {
		t.Errorf("Services → Dynamic DNS entry: %+v", top)
	}
	v := views(t)
	for key, e := range menu {
		if e.Action.Type == "view" {
			if _, ok := v[strings.TrimPrefix(e.Action.Path, "ddns-updater/")+".js"]; !ok || !strings.HasPrefix(key, "admin/services/ddns-updater/") {
				t.Errorf("%s points at a view that does not exist: %s", key, e.Action.Path)
			}
		}
	}
}

// section markers in the view: which UCI section type the options that follow belong to.
var (
	sectionRe = regexp.MustCompile(`m\.section\(form\.(?:GridSection|TypedSection), '([a-z]+)'|m\.section\(form\.NamedSection, '[a-z]+', '([a-z]+)'`)
	optionRe  = regexp.MustCompile(`s\.(?:taboption\('[a-z]+', |option\()(?:form|widgets)\.\w+, '([a-z][a-z0-9_]*)'`)
)

// TestSchemaParity: the view offers every option the Go reader accepts (from its
// one table, config.Options) and no other.
func TestSchemaParity(t *testing.T) {
	src := views(t)["overview.js"]
	inView := map[string]bool{}
	section := ""
	for _, line := range strings.Split(src, "\n") {
		if m := sectionRe.FindStringSubmatch(line); m != nil {
			section = m[1] + m[2]
		}
		if m := optionRe.FindStringSubmatch(line); m != nil {
			if section == "" {
				t.Fatalf("option %s before any section", m[1])
			}
			inView[section+"."+m[1]] = true
		}
	}
	inGo := map[string]bool{}
	for _, o := range config.Options() {
		if notInLuCI[o.Section+"."+o.Name] == "" {
			inGo[o.Section+"."+o.Name] = true
		}
	}
	var missing, unknown []string
	for k := range inGo {
		if !inView[k] {
			missing = append(missing, k)
		}
	}
	for k := range inView {
		if !inGo[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(unknown)
	if len(missing) > 0 || len(unknown) > 0 {
		t.Errorf("the view lacks %v and names options the reader does not know: %v", missing, unknown)
	}
	if len(inView) < 30 {
		t.Errorf("only %d options found in the view: the pattern no longer matches it", len(inView))
	}
}

var commandRe = regexp.MustCompile(`^\s*\w+:\s*\[ ('[^\]]+') \],?$`)

// commands returns what a view runs: the entries of its COMMANDS table, after
// checking that fs.exec is called nowhere else.
func commands(t *testing.T, name, src string) []string {
	if n := strings.Count(src, "fs.exec("); n != 1 || !strings.Contains(src, "return fs.exec(c[0], c.slice(1));") {
		t.Errorf("%s: every command must go through run() and its COMMANDS table (%d fs.exec calls)", name, n)
	}
	body, ok := strings.CutPrefix(src[strings.Index(src, "var COMMANDS = {"):], "var COMMANDS = {")
	if !ok {
		t.Fatalf("%s: no COMMANDS table", name)
	}
	body = body[:strings.Index(body, "};")]
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := commandRe.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("%s: cannot read the command %q", name, line)
		}
		var words []string
		for _, w := range strings.Split(m[1], ",") {
			words = append(words, strings.Trim(strings.TrimSpace(w), "'"))
		}
		out = append(out, strings.Join(words, " "))
	}
	return out
}

// TestACLLeastPrivilege: the ACL grants exactly the commands and the UCI
// configuration the views use, and exactly the ubus objects and methods their
// calls need, in read and in write: without the file object's exec, a user
// given only this ACL (not root) is denied every command.
func TestACLLeastPrivilege(t *testing.T) {
	var acl map[string]struct {
		Read struct {
			File map[string][]string `json:"file"`
			UCI  []string            `json:"uci"`
			Ubus map[string][]string `json:"ubus"`
		} `json:"read"`
		Write struct {
			File map[string][]string `json:"file"`
			UCI  []string            `json:"uci"`
			Ubus map[string][]string `json:"ubus"`
		} `json:"write"`
	}
	readJSON(t, luciApp+"/root/usr/share/rpcd/acl.d/luci-app-ddns-updater.json", &acl)
	a, ok := acl["luci-app-ddns-updater"]
	if !ok || len(acl) != 1 {
		t.Fatalf("one ACL group named luci-app-ddns-updater: %v", acl)
	}
	granted := map[string]bool{}
	for _, files := range []map[string][]string{a.Read.File, a.Write.File} {
		for cmd, perms := range files {
			if len(perms) != 1 || perms[0] != "exec" {
				t.Errorf("%s: %v, want exec only", cmd, perms)
			}
			granted[cmd] = true
		}
	}
	used := map[string]bool{}
	// The ubus object and method behind each call of LuCI's JavaScript API that
	// rpcd checks against the ACL's "ubus" grants (LuCI's fs module calls the
	// "file" object; uci is granted by the "uci" list instead).
	apiCalls := map[string]string{"fs.exec(": "file exec", "fs.exec_direct(": "file exec", "fs.read(": "file read",
		"fs.read_direct(": "file read", "fs.write(": "file write", "fs.stat(": "file stat", "fs.list(": "file list", "fs.remove(": "file remove"}
	needUbus := map[string]bool{}
	for name, src := range resources(t) {
		for call, grant := range apiCalls {
			if strings.Contains(src, call) {
				needUbus[grant] = true
			}
		}
		for _, m := range regexp.MustCompile(`object:\s*'([^']+)',\s*method:\s*'([^']+)'`).FindAllStringSubmatch(src, -1) {
			needUbus[m[1]+" "+m[2]] = true
		}
		if strings.Contains(src, "rpc.declare(") && !regexp.MustCompile(`object:\s*'`).MatchString(src) {
			t.Errorf("%s declares an ubus call this test cannot read", name)
		}
	}
	for section, grants := range map[string]map[string][]string{"read": a.Read.Ubus, "write": a.Write.Ubus} {
		have := map[string]bool{}
		for object, methods := range grants {
			for _, m := range methods {
				have[object+" "+m] = true
			}
		}
		for g := range needUbus {
			if !have[g] {
				t.Errorf("the views call ubus %s, which the ACL's %s section does not grant: a non-root user gets \"Access denied\"", g, section)
			}
		}
		for g := range have {
			if !needUbus[g] {
				t.Errorf("the ACL's %s section grants ubus %s, which no view calls", section, g)
			}
		}
	}
	if !needUbus["file exec"] {
		t.Error("the views run commands, yet the test found no fs.exec: it no longer reads them")
	}
	for name, src := range views(t) {
		for _, c := range commands(t, name, src) {
			used[c] = true
		}
		for _, m := range regexp.MustCompile(`(?:form\.Map|uci\.load)\('([^']+)'`).FindAllStringSubmatch(src, -1) {
			if m[1] != "ddns-updater" {
				t.Errorf("%s uses the UCI configuration %s", name, m[1])
			}
		}
	}
	for c := range used {
		if !granted[c] {
			t.Errorf("the views run %q but the ACL does not grant it", c)
		}
	}
	for c := range granted {
		if !used[c] {
			t.Errorf("the ACL grants %q, which no view runs", c)
		}
	}
	if strings.Join(a.Read.UCI, ",") != "ddns-updater" || strings.Join(a.Write.UCI, ",") != "ddns-updater" {
		t.Errorf("uci grants: %+v", a)
	}
}

// statusRunningFalse is what `ddns-updater status --json` prints of a stopped
// daemon with one stopped profile; the views are rendered with it.
const statusRunningFalse = `{"version":1,"running":false,"profiles":[{"name":"DDNS","enabled":true,"hostnames":["home.example.com"],` +
	`"ip_source":"auto","interface":"wan","device":"pppoe-wan","observed":["203.0.113.7"],"registered":["203.0.113.7"],` +
	`"registered_at":"2026-11-26T12:00:00Z","learnt_from":"provider","last_update":null,"last_answer":"","checked_at":null,` +
	`"last_check":"","next_check":"2026-11-26T12:10:00Z","wait_until":null,"stop":{"code":"badauth","meaning":"username or password wrong",` +
	`"fix":"edit the profile","at":"2026-11-26T12:00:00Z","lifted":false},"problems":[],"state_error":null},` +
	`{"name":"cron","enabled":false,"hostnames":["cron.example.com"],"ip_source":"web","interface":"","device":"","observed":["198.51.100.9"],` +
	`"registered":["198.51.100.9"],"registered_at":"2026-11-26T11:00:00Z","learnt_from":"provider","last_update":"2026-11-26T11:00:00Z",` +
	`"last_answer":"good 198.51.100.9","checked_at":"2026-11-26T11:30:00Z","last_check":"198.51.100.9 already registered (provider)",` +
	`"next_check":null,"wait_until":null,"stop":null,"problems":[],"state_error":null}]}`

// smoke is what testdata/luci-smoke.js says of a rendered view.
type smoke struct {
	Config, UCILoad, Text string
	Polls                 int
	Commands, Clicked     []string
	Notifications         []struct{ Text, Cls string }
	Untranslated          []string
	Classes               []string
	Buttons               []struct {
		Text     string
		Disabled bool
	}
	Top      []json.RawMessage
	Sections []struct {
		Cls     string
		Args    []string
		Options []smokeOption
	}
	Checks map[string]struct{ Good, Bad, Router []bool }
}

type smokeOption struct {
	Cls, Name, Validate, Datatype string
	Deps                          [][2]string
	Values                        []string
	Password                      bool
}

// renderView runs a view in Node with stand-ins for LuCI's modules
// (testdata/luci-smoke.js); fixtures map command lines to what fs.exec answers.
func renderView(t *testing.T, view string, fixtures map[string]map[string]any, values string) smoke {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("needs Node.js")
	}
	dir := t.TempDir()
	data, _ := json.Marshal(fixtures)
	os.WriteFile(filepath.Join(dir, "fixtures.json"), data, 0o644)
	args := []string{repoFile("src/openwrt/testdata/luci-smoke.js"), repoFile(luciApp + "/htdocs/luci-static/resources/view/ddns-updater/" + view), filepath.Join(dir, "fixtures.json")}
	if values != "" {
		args = append(args, values)
	}
	out, err := command(t, node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", view, err, out)
	}
	var got smoke
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return got
}

// untranslatedText is what reached the page without passing through _(),
// once the data (the status JSON's names, addresses and answers, and the
// program's own output lines) is taken out.
// notInLuCI are the options the form leaves out on purpose, and why.
var notInLuCI = map[string]string{
	"profile.lan_device": "on a router netifd names the LAN's device through lan_interface, which the form offers; lan_device is for a system without netifd",
	"global.hook":        "it is honoured only where hotplug-call is missing (off the router); on a router hooks are scripts that root installs in /etc/hotplug.d/ddns-updater/, and a LuCI user must not choose a program for root to run",
}

func untranslatedText(got smoke, status string, output ...string) []string {
	values := output
	for _, s := range service.Services { // the provider list's entries are names, not words
		values = append(values, s.Name)
	}
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case string:
			values = append(values, x)
		case []any:
			for _, e := range x {
				collect(e)
			}
		case map[string]any:
			for _, e := range x {
				collect(e)
			}
		}
	}
	var parsed any
	json.Unmarshal([]byte(status), &parsed)
	collect(parsed)
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	var out []string
	for _, u := range got.Untranslated {
		rest := u
		for _, v := range values {
			if v != "" {
				rest = strings.ReplaceAll(rest, v, "")
			}
		}
		if regexp.MustCompile(`[A-Za-z]`).MatchString(rest) {
			out = append(out, u)
		}
	}
	return out
}

// TestViewsRun renders each view and checks what it built: the sections, the
// options with their checks and depends, masked passwords, the commands run;
// the title first; a stopped service said so, Check now disabled, no next
// check promised; problems of --check on top; stop and problem messages as
// wrapped text, never badges; a profile known only from its state shown with
// what the state knows.
func TestViewsRun(t *testing.T) {
	check := "warn: /etc/config/ddns-updater: profile 'DDNS': option bogus: unknown option (line 9); ignored\n" +
		"error: /etc/config/ddns-updater: profile 'DDNS': force_interval 1d is shorter than check_interval 2d\ninfo: 1 profile(s) can run\n"
	got := renderView(t, "overview.js", map[string]map[string]any{
		"/usr/bin/ddns-updater status --json": {"stdout": statusRunningFalse},
		"/usr/bin/ddns-updater --check":       {"code": 2, "stderr": check},
	}, "")
	if got.Config != "ddns-updater" || got.UCILoad != "ddns-updater" || got.Polls < 1 ||
		strings.Join(got.Commands, "|") != "/usr/bin/ddns-updater status --json|/etc/init.d/ddns-updater enabled|/usr/bin/ddns-updater --check" {
		t.Errorf("overview loaded %+v", got)
	}
	for _, want := range []string{
		"Not running", "nothing is checked until the service starts",
		"The saved configuration has problems (ddns-updater --check):",
		"/etc/config/ddns-updater: profile 'DDNS': option bogus: unknown option (line 9); ignored",
		"force_interval 1d is shorter than check_interval 2d",
		"Stopped: the provider answered badauth (username or password wrong). Edit the profile; updates resume after saving.",
		"198.51.100.9 already registered (provider)", // a profile checked by --once: what its state knows
	} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("the page lacks %q:\n%s", want, got.Text)
		}
	}
	if strings.Contains(got.Text, "1 profile(s) can run") || strings.Contains(got.Text, "1764158") {
		t.Errorf("info lines of --check or next-check times of a stopped service on the page:\n%s", got.Text)
	}
	for _, c := range got.Classes {
		if strings.Contains(c, "label") {
			t.Errorf("a message drawn as a badge (class %q): the theme puts it in capitals on one line", c)
		}
	}
	for _, b := range got.Buttons {
		if b.Text == "Check now" && !b.Disabled {
			t.Error("Check now must be disabled while the service is not running")
		}
	}
	if len(got.Top) < 3 || string(got.Top[0]) != `"h2"` || string(got.Top[1]) != `"div"` {
		t.Errorf("the page must start with its title and description: %s", got.Top)
	}
	if u := untranslatedText(got, statusRunningFalse, "/etc/config/ddns-updater: profile 'DDNS': option bogus: unknown option (line 9); ignored",
		"/etc/config/ddns-updater: profile 'DDNS': force_interval 1d is shorter than check_interval 2d"); len(u) > 0 {
		t.Errorf("text on the page that does not pass through _(): %q", u)
	}
	sections := map[string][]smokeOption{}
	for _, s := range got.Sections {
		typ := s.Args[0]
		if s.Cls == "NamedSection" {
			typ = s.Args[1]
		}
		sections[s.Cls+" "+typ] = s.Options
	}
	for key, opts := range sections {
		for _, o := range opts {
			checked := o.Cls == "Flag" || o.Cls == "ListValue" || o.Cls == "Button" || o.Validate == "function"
			if !checked || o.Datatype != "" {
				t.Errorf("%s: option %s is not checked by validate.js alone (validate %s, datatype %q)", key, o.Name, o.Validate, o.Datatype)
			}
			if o.Name == "password" && !o.Password {
				t.Errorf("%s: the password is not masked", key)
			}
		}
	}
	depends := func(key, name string, want ...string) {
		t.Helper()
		for _, o := range sections[key] {
			if o.Name == name {
				var got []string
				for _, d := range o.Deps {
					got = append(got, d[0]+"="+d[1])
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s depends on %v, want %v", name, got, want)
				}
				return
			}
		}
		t.Errorf("%s: no option %s", key, name)
	}
	grid := "GridSection profile"
	depends(grid, "interface", "ip_source=interface", "ip_source=auto")
	depends(grid, "device", "ip_source=interface", "ip_source=auto")
	depends(grid, "external_ip_server", "ip_source=web", "ip_source=auto")
	depends(grid, "external_ip_server_path", "ip_source=web", "ip_source=auto")
	depends(grid, "use_regex", "ip_source=web", "ip_source=auto")
	depends(grid, "ipv6_suffix", "ip_version=6", "ip_version=both")
	for _, name := range []string{"lan_host", "lan_interface", "lan_prefix"} {
		depends(grid, name, "ip_version=6", "ip_version=both")
	}
	depends(grid, "prefix_param", "lan_prefix=1")
	for _, o := range sections[grid] {
		if o.Name == "interface" && o.Cls != "NetworkSelect" {
			t.Errorf("the interface is chosen with %s, want LuCI's network selector", o.Cls)
		}
	}
	if _, ok := sections["NamedSection mail"]; !ok {
		t.Error("no mail section")
	}
	if _, ok := sections["NamedSection global"]; !ok {
		t.Error("no global section")
	}
	// running: no warning, Check now enabled, next checks shown
	running := strings.Replace(statusRunningFalse, `"running":false`, `"running":true`, 1)
	got = renderView(t, "overview.js", map[string]map[string]any{"/usr/bin/ddns-updater status --json": {"stdout": running}}, "")
	if !strings.Contains(got.Text, "Running") || strings.Contains(got.Text, "Not running") || strings.Contains(got.Text, "has problems") {
		t.Errorf("a running service:\n%s", got.Text)
	}
	for _, b := range got.Buttons {
		if b.Text == "Check now" && b.Disabled {
			t.Error("Check now must be enabled while the service runs")
		}
	}
	// every button says what happened
	said := map[string]string{}
	for _, n := range got.Notifications {
		said[n.Text] = n.Cls
	}
	for _, want := range []string{"Check started for 1 profile(s).", "The service was restarted."} {
		if said[want] != "info" {
			t.Errorf("no notice %q after the clicks %v: %+v", want, got.Clicked, got.Notifications)
		}
	}
	// an error shows its message, not the stack LuCI appends to it
	got = renderView(t, "overview.js", map[string]map[string]any{"/usr/bin/ddns-updater status --json": {
		"reject": "RPCError: RPC call to file/exec failed with error -32002: Access denied\n    at rpcReject (rpc.js:12:5)\n    at handleCallReply (rpc.js:40:9)"}}, "")
	if !strings.Contains(got.Text, "Status unavailable: RPCError: RPC call to file/exec failed with error -32002: Access denied") || strings.Contains(got.Text, "rpc.js") {
		t.Errorf("an error shown with its stack, or not at all:\n%s", got.Text)
	}
}

// TestFormChecksMatchReader feeds src/config/testdata/values.json, which the Go
// reader's test feeds too, to the form's check of every option: the form accepts
// exactly what the program accepts (values only the router can judge, such as
// a CA file's content, pass the form and are left to --check). Lists of
// choices are the reader's choices; booleans are LuCI flags.
func TestFormChecksMatchReader(t *testing.T) {
	values := repoFile("src/config/testdata/values.json")
	got := renderView(t, "overview.js", map[string]map[string]any{"/usr/bin/ddns-updater status --json": {"stdout": statusRunningFalse}}, values)
	var table map[string]struct{ Good, Bad, Router []string }
	data, _ := os.ReadFile(values)
	var raw map[string]json.RawMessage
	json.Unmarshal(data, &raw)
	delete(raw, "_comment")
	table = map[string]struct{ Good, Bad, Router []string }{}
	for k, v := range raw {
		var e struct{ Good, Bad, Router []string }
		json.Unmarshal(v, &e)
		table[k] = e
	}
	options := map[string]smokeOption{}
	for _, s := range got.Sections {
		typ := s.Args[0]
		if s.Cls == "NamedSection" {
			typ = s.Args[1]
		}
		for _, o := range s.Options {
			options[typ+"."+o.Name] = o
		}
	}
	for _, spec := range config.Options() {
		key := spec.Section + "." + spec.Name
		o, ok := options[key]
		if notInLuCI[key] != "" {
			if ok {
				t.Errorf("the form offers %s: %s", key, notInLuCI[key])
			}
			continue
		}
		if !ok {
			t.Errorf("the form lacks %s", key)
			continue
		}
		switch spec.Rule.Kind {
		case "bool":
			if o.Cls != "Flag" {
				t.Errorf("%s is a boolean, shown as %s", key, o.Cls)
			}
			continue
		case "choice":
			// '' offers the absent option (its default, or a preset's value),
			// which the reader takes unless the option is required.
			offered := slices.DeleteFunc(slices.Clone(o.Values), func(v string) bool { return v == "" && !spec.Rule.Required })
			if o.Cls != "ListValue" || !sameSet(offered, spec.Rule.Choices) {
				t.Errorf("%s: the form offers %v (%s), the reader takes %v", key, o.Values, o.Cls, spec.Rule.Choices)
			}
			continue
		}
		res, ok := got.Checks[key]
		if !ok {
			t.Errorf("%s: no check ran", key)
			continue
		}
		e := table[key]
		for i, v := range e.Good {
			if !res.Good[i] {
				t.Errorf("%s = %q: the reader accepts it, the form refuses it", key, v)
			}
		}
		for i, v := range e.Bad {
			if res.Bad[i] {
				t.Errorf("%s = %q: the reader refuses it, the form accepts it", key, v)
			}
		}
		for i, v := range e.Router {
			if !res.Router[i] {
				t.Errorf("%s = %q: only the router can judge it, the form must let it pass", key, v)
			}
		}
	}
}

// TestLogView: the log view asks logread for every ddns-updater line and keeps
// the last 100 (logread's -l would cut the whole log before filtering it).
func TestLogView(t *testing.T) {
	var lines []string
	for i := 1; i <= 150; i++ {
		lines = append(lines, fmt.Sprintf("Thu Nov 26 12:00:%02d 2026 daemon.info ddns-updater[7]: line %d", i%60, i))
	}
	got := renderView(t, "log.js", map[string]map[string]any{"/sbin/logread -e ddns-updater": {"stdout": strings.Join(lines, "\n") + "\n"}}, "")
	if strings.Join(got.Commands, "|") != "/sbin/logread -e ddns-updater" {
		t.Errorf("log.js ran %v", got.Commands)
	}
	if !strings.Contains(got.Text, ": line 150") || !strings.Contains(got.Text, ": line 51\n") || strings.Contains(got.Text, ": line 50\n") {
		t.Errorf("the log view must show the last 100 of the 150 lines:\n%.300s", got.Text)
	}
	if strings.Contains(got.Text, "No log lines") {
		t.Error("the log view says there are no lines")
	}
	if u := untranslatedText(got, "", lines...); len(u) > 0 {
		t.Errorf("text on the page that does not pass through _(): %q", u)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

var update = flag.Bool("update", false, "rewrite the generated files that tests compare with")

const potFile = luciApp + "/po/templates/ddns-updater.pot"

var (
	translated  = regexp.MustCompile(`\b_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*[,)]`)
	anyCall     = regexp.MustCompile(`\b_\(`)
	jsonStrings = regexp.MustCompile(`"(title|description)"\s*:\s*"((?:[^"\\]|\\.)*)"`)
)

// TestTranslationTemplate: po/templates/ddns-updater.pot holds every string the
// app translates, as LuCI's i18n scan collects them (the _() calls of its
// JavaScript, the titles of its menu, the description of its ACL), and every
// _() call takes one literal, so that the scan can see it. The text check of
// TestViewsRun finds what reaches the page without _().
// `go test ./src/openwrt -run TestTranslationTemplate -update` writes it anew.
func TestTranslationTemplate(t *testing.T) {
	app := repoFile(luciApp)
	where := map[string][]string{}
	add := func(msg, file string, line int) {
		rel, _ := filepath.Rel(app, file)
		where[msg] = append(where[msg], fmt.Sprintf("%s:%d", rel, line))
	}
	unescape := strings.NewReplacer(`\'`, `'`, `\"`, `"`, `\\`, `\`)
	var files []string
	filepath.WalkDir(filepath.Join(app, "htdocs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".js") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 4 {
		t.Fatalf("only %d scripts found", len(files))
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for i, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			found := translated.FindAllStringSubmatch(line, -1)
			if len(found) != len(anyCall.FindAllString(line, -1)) {
				t.Errorf("%s:%d: a _() call without one literal string, which the scan cannot see: %s", f, i+1, strings.TrimSpace(line))
			}
			for _, m := range found {
				add(unescape.Replace(m[1]+m[2]), f, i+1)
			}
		}
	}
	for _, f := range []string{"root/usr/share/luci/menu.d/luci-app-ddns-updater.json", "root/usr/share/rpcd/acl.d/luci-app-ddns-updater.json"} {
		data, _ := os.ReadFile(filepath.Join(app, f))
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range jsonStrings.FindAllStringSubmatch(line, -1) {
				add(strings.ReplaceAll(m[2], `\"`, `"`), filepath.Join(app, f), i+1)
			}
		}
	}
	msgs := make([]string, 0, len(where))
	for m := range where {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	var b strings.Builder
	b.WriteString("msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\"\n")
	po := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	for _, m := range msgs {
		b.WriteString("\n")
		for _, w := range where[m] {
			b.WriteString("#: " + w + "\n")
		}
		fmt.Fprintf(&b, "msgid \"%s\"\nmsgstr \"\"\n", po.Replace(m))
	}
	if *update {
		os.MkdirAll(filepath.Dir(repoFile(potFile)), 0o755)
		if err := os.WriteFile(repoFile(potFile), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(repoFile(potFile))
	if err != nil || string(have) != b.String() {
		t.Errorf("%s is not what the app translates (%v); run: go test ./src/openwrt -run TestTranslationTemplate -update", potFile, err)
	}
	if len(msgs) < 100 {
		t.Errorf("only %d strings to translate: the scan no longer finds them", len(msgs))
	}
}
