package uci

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// show renders f the way `uci show t` does.
func show(f *File) string {
	var b strings.Builder
	quote := func(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }
	for _, s := range f.Sections {
		ref := s.Ref()
		b.WriteString("t." + ref + "=" + s.Type + "\n")
		for _, o := range s.Options {
			q := make([]string, len(o.Values))
			for i, v := range o.Values {
				q[i] = quote(v)
			}
			b.WriteString("t." + ref + "." + o.Name + "=" + strings.Join(q, " ") + "\n")
		}
	}
	return b.String()
}

// TestLibuciFixtures holds the parser to the answers real libuci gave (testdata/libuci,
// a copy of shared/fixtures/uci).
func TestLibuciFixtures(t *testing.T) {
	confs, err := filepath.Glob("testdata/libuci/*.conf")
	if err != nil || len(confs) < 31 {
		t.Fatalf("want the 31 libuci fixtures, found %d (%v)", len(confs), err)
	}
	for _, conf := range confs {
		name := strings.TrimSuffix(filepath.Base(conf), ".conf")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			f, perr := Parse(conf, data)
			base := strings.TrimSuffix(conf, ".conf")
			if want, err := os.ReadFile(base + ".show"); err == nil {
				if perr != nil {
					t.Fatalf("libuci accepts this file; we say: %v", perr)
				}
				if got := show(f); got != string(want) {
					t.Errorf("uci show differs\n got:\n%s\nwant:\n%s", got, want)
				}
				return
			}
			want, err := os.ReadFile(base + ".err")
			if err != nil {
				t.Fatal("fixture has neither .show nor .err")
			}
			if perr == nil {
				t.Fatalf("libuci rejects this file (%s); we accepted it", bytes.TrimSpace(want))
			}
			pe, ok := perr.(*ParseError)
			if !ok {
				t.Fatalf("error %T, want *ParseError", perr)
			}
			// "Parse error (REASON) at line L, byte B"
			first := strings.SplitN(string(want), "\n", 2)[0]
			got := "Parse error (" + pe.Reason + ") at line " + strconv.Itoa(pe.Line) + ", byte " + strconv.Itoa(pe.Byte)
			if got != first {
				t.Errorf("got  %q\nwant %q", got, first)
			}
			if !strings.Contains(pe.Error(), conf) || !strings.Contains(pe.Error(), "line "+strconv.Itoa(pe.Line)) {
				t.Errorf("error text %q must name the file and line", pe.Error())
			}
		})
	}
}

// TestFixturesMatchShared fails when the copy in testdata drifts from shared/fixtures/uci.
func TestFixturesMatchShared(t *testing.T) {
	shared := "../../../shared/fixtures/uci"
	files, err := filepath.Glob(filepath.Join(shared, "*"))
	if err != nil || len(files) == 0 {
		t.Skip("shared/fixtures/uci is not beside the checkout")
	}
	for _, f := range files {
		a, _ := os.ReadFile(f)
		b, err := os.ReadFile(filepath.Join("testdata/libuci", filepath.Base(f)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("testdata/libuci/%s differs from %s", filepath.Base(f), f)
		}
	}
}

func TestSemantics(t *testing.T) {
	src := "config profile 'p'\n\toption a '1'\n\toption a ''\n\tlist b x\n\toption b y\n" +
		"config profile 'p'\n\toption c z\nconfig mail\nconfig mail\n\toption x 1; option y 2\n"
	f, err := Parse("t", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := "t.p=profile\nt.p.b='y'\nt.p.c='z'\nt.@mail[0]=mail\nt.@mail[1]=mail\nt.@mail[1].x='1'\nt.@mail[1].y='2'\n"
	if got := show(f); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if v, ok := f.Sections[0].Value("b"); !ok || v != "y" {
		t.Errorf("Value(b) = %q, %v", v, ok)
	}
	if _, ok := f.Sections[0].Value("a"); ok {
		t.Error("an option set to '' must be absent")
	}
	if got := len(f.SectionsOf("mail")); got != 2 {
		t.Errorf("SectionsOf(mail) = %d sections", got)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ src, reason string }{
		{"config profile 'p'\n\toption a b c\n", "too many arguments"},
		{"config profile 'p'\nconfig mail 'p'\n", `section "p" of type "profile" redefined with type "mail"`},
		{"bogus x\n", "invalid command"},
		{"config profile \"p\n", "EOF with unterminated \""},
		{"config pro.file\n", "invalid character in section type"},
	} {
		_, err := Parse("t", []byte(tc.src))
		pe, ok := err.(*ParseError)
		if !ok || pe.Reason != tc.reason {
			t.Errorf("%q: got %v, want reason %q", tc.src, err, tc.reason)
		}
	}
}

// TestFormatRoundTrip: what Format writes reads back, through the parser held
// to libuci, as the same sections and values, for every file libuci accepts.
func TestFormatRoundTrip(t *testing.T) {
	shows, _ := filepath.Glob("testdata/libuci/*.show")
	for _, s := range shows {
		conf := strings.TrimSuffix(s, ".show") + ".conf"
		data, _ := os.ReadFile(conf)
		f, err := Parse(conf, data)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Parse("formatted", []byte(Format(f)))
		if err != nil {
			t.Errorf("%s: the formatted file does not parse: %v\n%s", conf, err, Format(f))
			continue
		}
		if show(g) != show(f) {
			t.Errorf("%s: round trip differs\n got:\n%s\nwant:\n%s", conf, show(g), show(f))
		}
	}
	f := &File{}
	p := f.Add("profile", "home", 0)
	p.Set("password", false, 0, `it's "q" \ 
x`)
	p.Set("hostname", true, 0, "a.example.com", "b.example.com")
	p.Set("empty", false, 0, "")
	f.Add("profile", "", 0).Set("enabled", false, 0, "0")
	want := "config profile 'home'\n\toption password 'it'\\''s \"q\" \\ \nx'\n\tlist hostname 'a.example.com'\n\tlist hostname 'b.example.com'\n\nconfig profile\n\toption enabled '0'\n"
	if got := Format(f); got != want {
		t.Errorf("Format\n got %q\nwant %q", got, want)
	}
	g, err := Parse("x", []byte(want))
	if err != nil || show(g) != show(f) || g.Sections[1].Index != 1 {
		t.Errorf("read back: %v\n%s", err, show(g))
	}
}
