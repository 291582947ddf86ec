package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

type sample struct {
	IP string    `json:"ip"`
	At time.Time `json:"at"`
}

func TestSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	d := Open(dir)
	var got sample
	if err := d.Load("home", &got); err != nil || got != (sample{}) {
		t.Fatalf("missing file: %v, %+v", err, got)
	}
	want := sample{IP: "203.0.113.7", At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := d.Save("home", want); err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, filepath.Join(dir, "home.json"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode(), mode, err)
		}
	}
	if err := Open(dir).Load("home", &got); err != nil || got != want {
		t.Errorf("reload: %+v, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSaveOnlyWhenChanged(t *testing.T) {
	dir := t.TempDir()
	d := Open(dir)
	s := sample{IP: "203.0.113.7"}
	if err := d.Save("p", s); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "p.json")
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(file, old, old)
	if err := d.Save("p", s); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); !fi.ModTime().Equal(old) {
		t.Error("an unchanged state was written again")
	}
	s.IP = "203.0.113.8"
	d.Save("p", s)
	if fi, _ := os.Stat(file); fi.ModTime().Equal(old) {
		t.Error("a changed state was not written")
	}
}

func TestCorruptFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "p.json"), []byte(`{"ip":"203.0.`), 0o600)
	got := sample{IP: "untouched"}
	err := Open(dir).Load("p", &got)
	if err == nil || got.IP != "untouched" {
		t.Errorf("truncated file: err %v, value %+v", err, got)
	}
}

func TestUnwritableDir(t *testing.T) {
	// root writes through permissions, so use a path under a regular file instead
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o600)
	if err := Open(filepath.Join(file, "sub")).Save("p", sample{}); err == nil {
		t.Error("saving under a regular file must fail")
	}
}
