package ipk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"
	"time"
)

func sample() *Package {
	return &Package{
		Control:   Control{Package: "x", Version: "1.0-r1", Depends: "ca-bundle", Architecture: "mipsel_24kc", Description: "one line\nmore text\n\nafter a gap"},
		Files:     []File{{Path: "usr/bin/x", Mode: 0o755, Data: []byte("binary")}, {Path: "etc/config/x", Mode: 0o600, Data: []byte("config")}},
		Conffiles: []string{"/etc/config/x"},
		Scripts:   map[string]string{"prerm": "#!/bin/sh\n", "postinst": "#!/bin/sh\n"},
		ModTime:   time.Unix(1700000000, 0),
	}
}

// entries lists a tar.gz: name → header.
func entries(t *testing.T, data []byte) ([]string, map[string]*tar.Header, map[string][]byte) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !gz.ModTime.IsZero() || gz.Name != "" {
		t.Errorf("gzip header carries a time or a name: %v %q", gz.ModTime, gz.Name)
	}
	tr := tar.NewReader(gz)
	var names []string
	hdrs, bodies := map[string]*tar.Header{}, map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		hdrs[h.Name], bodies[h.Name] = h, b
	}
	return names, hdrs, bodies
}

func TestReproducibleAndLaidOut(t *testing.T) {
	var a, b bytes.Buffer
	if err := sample().Write(&a); err != nil {
		t.Fatal(err)
	}
	sample().Write(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two builds of the same package differ")
	}
	names, _, outer := entries(t, a.Bytes())
	if len(names) != 3 || names[0] != "./debian-binary" || string(outer["./debian-binary"]) != "2.0\n" {
		t.Fatalf("outer entries %v", names)
	}
	dnames, dh, _ := entries(t, outer["./data.tar.gz"])
	want := []string{"./", "./etc/", "./etc/config/", "./etc/config/x", "./usr/", "./usr/bin/", "./usr/bin/x"}
	if len(dnames) != len(want) {
		t.Fatalf("data entries %v", dnames)
	}
	for i := range want {
		h := dh[dnames[i]]
		if dnames[i] != want[i] || h.Uid != 0 || h.Gid != 0 || h.Uname != "root" || !h.ModTime.Equal(time.Unix(1700000000, 0)) {
			t.Errorf("entry %d: %s %+v", i, dnames[i], h)
		}
	}
	if dh["./usr/bin/x"].Mode != 0o755 || dh["./etc/config/x"].Mode != 0o600 {
		t.Error("modes")
	}
	cnames, ch, cb := entries(t, outer["./control.tar.gz"])
	if len(cnames) != 4 || ch["./postinst"].Mode != 0o755 || string(cb["./conffiles"]) != "/etc/config/x\n" {
		t.Errorf("control entries %v", cnames)
	}
	wantControl := "Package: x\nVersion: 1.0-r1\nDepends: ca-bundle\nSourceName: x\nArchitecture: mipsel_24kc\nInstalled-Size: 12\n" +
		"Description: one line\n more text\n .\n after a gap\n"
	if string(cb["./control"]) != wantControl {
		t.Errorf("control:\n%s\nwant:\n%s", cb["./control"], wantControl)
	}
}
