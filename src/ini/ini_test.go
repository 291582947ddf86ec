package ini

import (
	"os"
	"strings"
	"testing"
)

func TestOriginalExample(t *testing.T) {
	data, err := os.ReadFile("testdata/ddns.conf")
	if err != nil {
		t.Fatal(err)
	}
	if !Looks(data) {
		t.Fatal("the original's file does not look like INI")
	}
	f, err := Parse("ddns.conf", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sections) != 2 || f.Sections[0].Name != "DDNS" || f.Sections[1].Name != "Mail" {
		t.Fatalf("sections %+v", f.Sections)
	}
	d := f.Sections[0]
	for name, want := range map[string]string{
		"server": "dyndns.strato.com", "password": `50% off: it's "secret"`, "ip": "203.0.113.7",
		"use_regex": "False", "external_ip_server_path": "/checkip.php", "mx": "NOCHG",
	} {
		if o := d.Get(name); o == nil || o.Value != want {
			t.Errorf("%s = %+v; want %q", name, o, want)
		}
	}
	if o := d.Get("server"); o.Line != 6 {
		t.Errorf("server on line %d, want 6", o.Line)
	}
}

func TestConfigparserRules(t *testing.T) {
	f, err := Parse("f", []byte(`# comment
; comment too
[DEFAULT]
server = members.example.net
Server_Path: /nic/update

[home]
Username : me
password=a=b:c
hostname = a.example.com,
	b.example.com
greeting = %(username)s at %(server)s

[Mail]
server = smtp.example.com
`))
	if err != nil {
		t.Fatal(err)
	}
	home, mail := f.Sections[0], f.Sections[1]
	for name, want := range map[string]string{
		"username": "me", "password": "a=b:c", "server": "members.example.net", "server_path": "/nic/update",
		"hostname": "a.example.com,\nb.example.com", "greeting": "me at members.example.net",
	} {
		if o := home.Get(name); o == nil || o.Value != want {
			t.Errorf("[home] %s = %+v; want %q", name, o, want)
		}
	}
	if o := mail.Get("server"); o == nil || o.Value != "smtp.example.com" {
		t.Errorf("a section's own value wins over DEFAULT: %+v", o)
	}
	if Looks([]byte("# uci\nconfig profile 'x'\n")) || Looks([]byte("")) {
		t.Error("UCI text looks like INI")
	}
}

func TestRefused(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"server = x\n", "f: line 1: \"server = x\" comes before any [section]"},
		{"[a]\nserver\n", "f: line 2: \"server\" is not key = value"},
		{"[a]\nx = 1\nX = 2\n", "f: line 3: option x appears twice in [a]"},
		{"[a]\n[a]\n", "f: line 2: section [a] appears twice"},
		{"[a\n", "f: line 1: \"[a\" opens a section without closing it"},
		{"[a]\npassword = 100%\n", "f: line 2: [a] option password: a lone %"},
		{"[a]\nx = %(y)s\n", "f: line 2: [a] option x: %(y)s names no option"},
		{"[a]\nx = %(x)s\n", "nested too deep"},
		{"\tindented\n", "continues no option"},
	} {
		_, err := Parse("f", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %q", tc.text, err, tc.want)
		}
	}
}
