package openwrt

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
	for name, src := range views(t) {
		if !strings.HasPrefix(src, "'use strict';\n'require view';") {
			t.Errorf("%s: a LuCI view starts with 'use strict' and 'require view'", name)
		}
		f := filepath.Join(t.TempDir(), name)
		os.WriteFile(f, []byte("(function() {\n"+src+"\n});\n"), 0o644)
		if out, err := command(t, node, "--check", f).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
	}
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
		inGo[o.Section+"."+o.Name] = true
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
// configuration the views use, and no ubus object (the views declare none).
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
	for name, src := range views(t) {
		for _, c := range commands(t, name, src) {
			used[c] = true
		}
		if strings.Contains(src, "rpc.declare(") {
			t.Errorf("%s declares an ubus call: the ACL must grant it", name)
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
	if strings.Join(a.Read.UCI, ",") != "ddns-updater" || strings.Join(a.Write.UCI, ",") != "ddns-updater" || len(a.Read.Ubus)+len(a.Write.Ubus) != 0 {
		t.Errorf("uci and ubus grants: %+v", a)
	}
}

// TestViewsRun loads and renders each view in Node with stand-ins for LuCI's
// modules (testdata/luci-smoke.js) and checks what it built: the sections, the
// options with their validation and depends, masked passwords, the commands run.
func TestViewsRun(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("needs Node.js")
	}
	statusFile := filepath.Join(t.TempDir(), "status.json")
	os.WriteFile(statusFile, []byte(`{"version":1,"running":false,"profiles":[{"name":"DDNS","enabled":true,"hostnames":["home.example.com"],`+
		`"ip_source":"auto","interface":"wan","device":"pppoe-wan","observed":["203.0.113.7"],"registered":["203.0.113.7"],`+
		`"registered_at":"2026-11-26T12:00:00Z","learnt_from":"provider","last_update":null,"last_answer":"","checked_at":null,`+
		`"last_check":"","next_check":null,"wait_until":null,"stop":{"code":"badauth","meaning":"username or password wrong",`+
		`"fix":"edit the profile","at":"2026-11-26T12:00:00Z","lifted":false},"problems":[],"state_error":null}]}`), 0o644)
	type option struct {
		Cls, Name, Validate, Datatype string
		Deps                          [][2]string
		Password                      bool
	}
	var got struct {
		Config, UCILoad string
		Text            string
		Polls           int
		Commands        []string
		Sections        []struct {
			Cls     string
			Args    []string
			Options []option
		}
	}
	viewDir := repoFile(luciApp + "/htdocs/luci-static/resources/view/ddns-updater/")
	out, err := command(t, node, repoFile("src/openwrt/testdata/luci-smoke.js"), filepath.Join(viewDir, "overview.js"), statusFile).CombinedOutput()
	if err != nil {
		t.Fatalf("overview.js: %v\n%s", err, out)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Config != "ddns-updater" || got.UCILoad != "ddns-updater" || got.Polls < 1 ||
		strings.Join(got.Commands, "|") != "/usr/bin/ddns-updater status --json|/etc/init.d/ddns-updater enabled" {
		t.Errorf("overview loaded %+v", got)
	}
	if !strings.Contains(got.Text, "The service is not running") || !strings.Contains(got.Text, "home.example.com") {
		t.Errorf("status of a stopped daemon (\"running\":false) renders as %q", got.Text)
	}
	sections := map[string][]option{}
	for _, s := range got.Sections {
		typ := s.Args[0]
		if s.Cls == "NamedSection" {
			typ = s.Args[1]
		}
		sections[s.Cls+" "+typ] = s.Options
	}
	free := map[string]bool{"username": true, "password": true, "user_agent": true}
	for key, opts := range sections {
		for _, o := range opts {
			if (o.Cls == "Value" || o.Cls == "DynamicList") && o.Validate != "function" && o.Datatype == "" && !free[o.Name] {
				t.Errorf("%s: option %s is not validated", key, o.Name)
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

	out, err = command(t, node, repoFile("src/openwrt/testdata/luci-smoke.js"), filepath.Join(viewDir, "log.js"), statusFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"commands":["/sbin/logread -e ddns-updater -l 100"]`) {
		t.Errorf("log.js: %v\n%s", err, out)
	}
}
