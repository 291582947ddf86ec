package config

import (
	"strings"

	"ddns-updater/src/ini"
	"ddns-updater/src/uci"
)

// OriginalPath is where the original program (DDNS Updater, Python) kept its file.
const OriginalPath = "/etc/ddns-updater/ddns.conf"

// Unmapped is a section or option that has no place in the configuration,
// and why: `import` lists them, so that nothing is dropped silently.
type Unmapped struct {
	What, Why string
	Dropped   bool // a whole section (a service, a profile) is not carried over
}

// FromINI maps the original program's INI file onto UCI sections, the way
// Load reads such a file and `ddns-updater import ini` writes it:
//   - [Mail] is the mail section, [global] ours (state_dir, log_level: not
//     the original's); every other section is a profile of its
//     name, enabled when it is [DDNS] (the profile the original ran without
//     --profile), so that --profile NAME selects the others as before;
//   - the checkip server is asked over plain HTTP, as the original asked it
//     (external_ip_server http://HOST), and only it (ip_source web);
//   - mx and wildcard travel in server_path's query, as the original sent them;
//   - the original's older names (server_dir, webip_server, webip_dir,
//     stmp_server) are read as the newer ones; ip is the registered address;
//   - booleans become 0 and 1; other options keep their names and values: the
//     reader warns of those it does not know.
//
// A section whose name cannot name a profile is in unmapped.
func FromINI(f *ini.File) (out *uci.File, unmapped []Unmapped) {
	out = &uci.File{Path: f.Path}
	for _, s := range f.Sections {
		if s.Name == "global" { // not the original's: ours (state_dir, log_level), for a box without /var/run
			g := out.Add("global", "global", s.Line)
			for _, o := range s.Options {
				g.Set(o.Name, false, o.Line, o.Value)
			}
			continue
		}
		if s.Name == "Mail" {
			m := out.Add("mail", "mail", s.Line)
			for _, o := range s.Options {
				name := o.Name
				if name == "stmp_server" {
					name = "smtp_server"
				}
				m.Set(name, false, o.Line, boolValue("mail", name, o.Value))
			}
			continue
		}
		if !validName(s.Name) {
			unmapped = append(unmapped, Unmapped{"[" + s.Name + "]", "a profile's name has letters, digits and _ only (it names the state file); rename the section", true})
			continue
		}
		p := out.Add("profile", s.Name, s.Line)
		enabled := "0"
		if s.Name == "DDNS" {
			enabled = "1"
		}
		p.Set("enabled", false, s.Line, enabled)
		var query []string
		for _, o := range s.Options {
			v := o.Value
			switch name := o.Name; name {
			case "server_dir":
				p.Set("server_path", false, o.Line, v)
			case "webip_server", "external_ip_server":
				if v != "" && !strings.Contains(v, "://") {
					v = "http://" + v
				}
				p.Set("external_ip_server", false, o.Line, v)
			case "webip_dir":
				p.Set("external_ip_server_path", false, o.Line, v)
			case "mx", "wildcard":
				if v != "" {
					query = append(query, name+"="+v)
				}
			case "hostname":
				p.Set(name, true, o.Line, splitList(strings.Split(v, "\n"))...)
			default:
				p.Set(name, false, o.Line, boolValue("profile", name, v))
			}
		}
		if len(query) > 0 {
			path := "/nic/update"
			if o := p.Get("server_path"); o != nil {
				path = o.Values[0]
			}
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			p.Set("server_path", false, s.Line, path+sep+strings.Join(query, "&"))
		}
		if p.Get("ip_source") == nil {
			p.Set("ip_source", false, s.Line, "web")
		}
	}
	return out, unmapped
}

// boolValue writes configparser's booleans (True, False, yes, off, ...) as
// 0 and 1, as uci and LuCI's checkboxes take them; other values stay as they are.
func boolValue(section, name, v string) string {
	for _, o := range Options() {
		if o.Section == section && o.Name == name && o.Rule.Kind == "bool" {
			if b, err := parseBool(v); err == nil {
				return map[bool]string{false: "0", true: "1"}[b]
			}
		}
	}
	return v
}

// validName reports whether s can name a UCI section (as uciName checks an
// interface name: letters, digits and _).
func validName(s string) bool {
	_, err := uciName.fn(s)
	return s != "" && err == nil
}
