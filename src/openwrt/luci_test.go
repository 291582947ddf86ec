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
		if out, err := exec.Command(node, "--check", f).CombinedOutput(); err != nil {
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
