package state

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/updater"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 123, time.UTC)

func full() updater.State {
	return updater.State{
		Fingerprint:  "abc123",
		Target:       "def456",
		Registered:   []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::7")},
		RegisteredAt: t0, Source: "provider",
		Stop:      &updater.Stop{Code: "badauth", Reason: "username or password wrong: fix them", At: t0.Add(time.Hour)},
		NotBefore: t0.Add(2 * time.Hour), Failures: 3, BadAnswers: 2, LastAttempt: t0.Add(time.Minute), LastAnswer: "badauth",
		Mismatches: []updater.Mismatch{{Sent: netip.MustParseAddr("198.51.100.7"), Held: netip.MustParseAddr("203.0.113.7")},
			{Sent: netip.MustParseAddr("2001:db8::8")}},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, st := range []updater.State{{}, {Fingerprint: "x"}, full()} {
		got, err := Decode(Encode(st))
		if err != nil || !reflect.DeepEqual(got, st) {
			t.Errorf("round trip of %+v: %+v, %v\n%s", st, got, err, Encode(st))
		}
	}
	st := full()
	st.LastAnswer = "line1\nline2"
	if got, _ := Decode(Encode(st)); got.LastAnswer != "line1 line2" {
		t.Errorf("a newline in a value must not break the format: %q", got.LastAnswer)
	}
}

func TestDecodeDamaged(t *testing.T) {
	good := string(Encode(full()))
	for name, data := range map[string]string{
		"empty":        "",
		"truncated":    good[:len(good)/2],
		"no end":       strings.TrimSuffix(good, "end\n"),
		"garbage":      "\x00\x01\x02",
		"bad time":     header + "\nregistered_at yesterday\nend\n",
		"bad count":    header + "\nfailures many\nend\n",
		"bad mismatch": header + "\nmismatches 198.51.100.7-203.0.113.7\nend\n",
	} {
		if st, err := Decode([]byte(data)); err == nil {
			t.Errorf("%s: accepted as %+v", name, st)
		}
	}
	if st, err := Decode([]byte(header + "\nfuture_field 1\nfingerprint f\nend\n")); err != nil || st.Fingerprint != "f" {
		t.Errorf("unknown keys must be skipped: %+v, %v", st, err)
	}
}

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	d := Open(dir)
	if st, err := d.Load("home"); err != nil || !reflect.DeepEqual(st, updater.State{}) {
		t.Fatalf("missing file: %v, %+v", err, st)
	}
	want := full()
	if err := d.Save("home", want); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, "home.state"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode(), mode, err)
		}
	}
	if got, err := Open(dir).Load("home"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("reload: %+v, %v", got, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSaveOnlyWhenChanged(t *testing.T) {
	dir := t.TempDir()
	d := Open(dir)
	st := updater.State{Fingerprint: "a"}
	if err := d.Save("p", st); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "p.state")
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(file, old, old)
	if err := d.Save("p", st); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); !fi.ModTime().Equal(old) {
		t.Error("an unchanged state was written again")
	}
	st.Fingerprint = "b"
	d.Save("p", st)
	if fi, _ := os.Stat(file); fi.ModTime().Equal(old) {
		t.Error("a changed state was not written")
	}
}

func TestCorruptFileIsAnError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.state"), []byte(header+"\nfingerprint x\n"), 0o600)
	st, err := Open(dir).Load("p")
	if err == nil || st.Fingerprint != "" {
		t.Errorf("truncated file: err %v, state %+v", err, st)
	}
}

func TestUnwritableDir(t *testing.T) {
	// root writes through permissions, so use a path under a regular file instead
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o600)
	if err := Open(filepath.Join(file, "sub")).Save("p", updater.State{}); err == nil {
		t.Error("saving under a regular file must fail")
	}
}

func TestRunRoundTrip(t *testing.T) {
	d := Open(t.TempDir())
	if run, err := d.LoadRun("p"); err != nil || !run.CheckedAt.IsZero() {
		t.Fatalf("missing: %+v, %v", run, err)
	}
	want := Run{CheckedAt: t0, NextCheck: t0.Add(10 * time.Minute), Observed: []netip.Addr{netip.MustParseAddr("203.0.113.7")},
		Device: "pppoe-wan", Summary: "203.0.113.7 already registered", OK: true}
	if err := d.SaveRun("p", want); err != nil {
		t.Fatal(err)
	}
	if got, err := d.LoadRun("p"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%+v, %v", got, err)
	}
}

func TestOpenRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	old, fresh := filepath.Join(dir, ".home.state.123"), filepath.Join(dir, ".home.state.456")
	os.WriteFile(old, []byte("half"), 0o600)
	os.WriteFile(fresh, []byte("half"), 0o600)
	past := time.Now().Add(-time.Hour)
	os.Chtimes(old, past, past)
	Open(dir)
	if _, err := os.Stat(old); err == nil {
		t.Error("a stale temporary file stays")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh one may be another process's write in progress")
	}
}
