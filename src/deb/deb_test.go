package deb

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

func sample() *Package {
	return &Package{Name: "x", Version: "1.0-1", Arch: "amd64", Maintainer: "m <m@example.com>", Description: "short\nlong text\n\nafter a gap",
		Files:     []File{{Path: "usr/bin/x", Mode: 0o755, Data: []byte("bin")}, {Path: "etc/x/x.conf", Mode: 0o600, Data: []byte("conf\n")}},
		Conffiles: []string{"/etc/x/x.conf"}, Scripts: map[string]string{"postinst": "#!/bin/sh\n", "prerm": "#!/bin/sh\n"},
		ModTime: time.Unix(1764460800, 0)}
}

// members parses an ar archive as dpkg-deb expects it: the magic, 60-byte
// headers, bodies padded to even length.
func members(t *testing.T, b []byte) (names []string, bodies [][]byte) {
	if !bytes.HasPrefix(b, []byte("!<arch>\n")) {
		t.Fatal("no ar magic")
	}
	b = b[8:]
	for len(b) > 0 {
		if len(b) < 60 || string(b[58:60]) != "`\n" {
			t.Fatalf("bad member header %q", b[:min(60, len(b))])
		}
		size, err := strconv.Atoi(strings.TrimSpace(string(b[48:58])))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimSpace(string(b[:16])))
		bodies = append(bodies, b[60:60+size])
		b = b[60+size+size%2:]
	}
	return names, bodies
}

func TestLayout(t *testing.T) {
	b, err := sample().Bytes()
	if err != nil {
		t.Fatal(err)
	}
	names, bodies := members(t, b)
	if strings.Join(names, " ") != "debian-binary control.tar.gz data.tar.gz" || string(bodies[0]) != "2.0\n" {
		t.Errorf("members %v", names)
	}
	c := string(sample().Control())
	want := "Package: x\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: m <m@example.com>\nInstalled-Size: 2\nDescription: short\n long text\n .\n after a gap\n"
	if c != want {
		t.Errorf("control\n%s\nwant\n%s", c, want)
	}
	b2, _ := sample().Bytes()
	if !bytes.Equal(b, b2) {
		t.Error("the same package twice gave different bytes")
	}
}
