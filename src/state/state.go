// Package state keeps one small text file per profile in the state directory,
// written atomically (temporary file, fsync, rename) and only when it changes.
//
// The format is a header line, one "key value" line per field and a closing
// "end" line, so that a truncated file is recognised as such:
//
//	# ddns-updater state 1
//	fingerprint 5c1e...
//	registered 203.0.113.7 2001:db8::7
//	registered_at 2026-11-26T12:00:00Z
//	end
package state

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"ddns-updater/src/updater"
)

const header = "# ddns-updater state 1"

// Dir is a state directory.
type Dir struct {
	Path string

	mu   sync.Mutex
	last map[string][]byte        // what each file holds, as far as this process knows
	mem  map[string]updater.State // the latest state of each profile, saved to disk or not
}

// Open returns the state directory at path; it is created (0700) on the first
// save. Temporary files that a killed process left behind are removed.
func Open(path string) *Dir {
	stale, _ := filepath.Glob(filepath.Join(path, ".*.state.*"))
	runs, _ := filepath.Glob(filepath.Join(path, ".*.run.*"))
	for _, f := range append(stale, runs...) {
		if fi, err := os.Stat(f); err == nil && time.Since(fi.ModTime()) > time.Minute {
			os.Remove(f) // an older one cannot be another process's write in progress
		}
	}
	return &Dir{Path: path, last: map[string][]byte{}, mem: map[string]updater.State{}}
}

func (d *Dir) file(name string) string {
	return filepath.Join(d.Path, name+".state")
}

// Load returns the state of profile name: what this process last saved (even
// when the disk refused it: a full disk must not make it forget what it
// registered), else the file. A missing file is an empty state and no error; a
// truncated or unreadable one is an empty state and an error, which callers log
// before going on as if there were no state.
func (d *Dir) Load(name string) (updater.State, error) {
	d.mu.Lock()
	st, ok := d.mem[name]
	d.mu.Unlock()
	if ok {
		return st, nil
	}
	data, err := os.ReadFile(d.file(name))
	if errors.Is(err, fs.ErrNotExist) {
		return updater.State{}, nil
	}
	if err != nil {
		return updater.State{}, err
	}
	st, err = Decode(data)
	if err != nil {
		return updater.State{}, fmt.Errorf("%s: %w", d.file(name), err)
	}
	d.mu.Lock()
	d.last[name] = data
	d.mu.Unlock()
	return st, nil
}

// Save writes the state of profile name, unless the file already holds it.
func (d *Dir) Save(name string, st updater.State) error {
	data := Encode(st)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mem[name] = st
	if bytes.Equal(d.last[name], data) {
		return nil
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return err
	}
	if err := writeAtomic(d.file(name), data); err != nil {
		return err
	}
	d.last[name] = data
	return nil
}

// record is the file format: a header, "key value" lines, "end".
type record struct{ b bytes.Buffer }

func newRecord() *record {
	r := &record{}
	r.b.WriteString(header + "\n")
	return r
}

func (r *record) put(k, v string) {
	if v != "" {
		r.b.WriteString(k + " " + oneLine(v) + "\n")
	}
}

func (r *record) time(k string, t time.Time) {
	if !t.IsZero() {
		r.put(k, t.UTC().Format(time.RFC3339Nano))
	}
}

func (r *record) addrs(k string, a []netip.Addr) {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	r.put(k, strings.Join(s, " "))
}

func (r *record) bytes() []byte {
	r.b.WriteString("end\n")
	return r.b.Bytes()
}

// fields reads a record; a later key wins; unknown keys are kept for the caller to skip.
func fields(data []byte) (map[string]string, error) {
	lines := strings.Split(string(data), "\n")
	if len(lines) == 0 || lines[0] != header {
		return nil, errors.New("not a state file")
	}
	m := map[string]string{}
	for _, line := range lines[1:] {
		if line == "end" {
			return m, nil
		}
		k, v, _ := strings.Cut(line, " ")
		m[k] = v
	}
	return nil, errors.New("truncated (no end line)")
}

// reader decodes typed values from fields, keeping the first error.
type reader struct {
	m   map[string]string
	err error
}

func (r *reader) str(k string) string { return r.m[k] }

func (r *reader) time(k string) time.Time {
	v, ok := r.m[k]
	if !ok || r.err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		r.err = fmt.Errorf("%s: %w", k, err)
	}
	return t
}

func (r *reader) int(k string) int {
	v, ok := r.m[k]
	if !ok || r.err != nil {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.err = fmt.Errorf("%s: %w", k, err)
	}
	return n
}

func (r *reader) addrs(k string) []netip.Addr {
	var out []netip.Addr
	for _, f := range strings.Fields(r.m[k]) {
		a, err := netip.ParseAddr(f)
		if err != nil && r.err == nil {
			r.err = fmt.Errorf("%s: %w", k, err)
		}
		if err == nil {
			out = append(out, a)
		}
	}
	return out
}

// mismatches reads "SENT>HELD" pairs; HELD "-" is none.
func (r *reader) mismatches(k string) []updater.Mismatch {
	var out []updater.Mismatch
	for _, f := range strings.Fields(r.m[k]) {
		sent, held, ok := strings.Cut(f, ">")
		s, err1 := netip.ParseAddr(sent)
		var h netip.Addr
		var err2 error
		if held != "-" {
			h, err2 = netip.ParseAddr(held)
		}
		if !ok || err1 != nil || err2 != nil {
			if r.err == nil {
				r.err = fmt.Errorf("%s: %q is not SENT>HELD", k, f)
			}
			continue
		}
		out = append(out, updater.Mismatch{Sent: s, Held: h})
	}
	return out
}

// Encode writes st in the state file format.
func Encode(st updater.State) []byte {
	r := newRecord()
	r.put("fingerprint", st.Fingerprint)
	r.put("target", st.Target)
	r.addrs("registered", st.Registered)
	r.time("registered_at", st.RegisteredAt)
	r.put("source", st.Source)
	if st.Stop != nil {
		r.put("stop_code", st.Stop.Code)
		r.put("stop_reason", st.Stop.Reason)
		r.time("stop_at", st.Stop.At)
	}
	r.time("not_before", st.NotBefore)
	if st.Failures > 0 {
		r.put("failures", strconv.Itoa(st.Failures))
	}
	if st.BadAnswers > 0 {
		r.put("bad_answers", strconv.Itoa(st.BadAnswers))
	}
	var ms []string
	for _, m := range st.Mismatches {
		held := "-"
		if m.Held.IsValid() {
			held = m.Held.String()
		}
		ms = append(ms, m.Sent.String()+">"+held)
	}
	r.put("mismatches", strings.Join(ms, " "))
	r.time("last_attempt", st.LastAttempt)
	r.put("last_answer", st.LastAnswer)
	return r.bytes()
}

// Decode reads the state file format; unknown keys are skipped.
func Decode(data []byte) (updater.State, error) {
	m, err := fields(data)
	if err != nil {
		return updater.State{}, err
	}
	r := &reader{m: m}
	st := updater.State{
		Fingerprint:  r.str("fingerprint"),
		Target:       r.str("target"),
		Registered:   r.addrs("registered"),
		RegisteredAt: r.time("registered_at"),
		Source:       r.str("source"),
		NotBefore:    r.time("not_before"),
		Failures:     r.int("failures"),
		BadAnswers:   r.int("bad_answers"),
		LastAttempt:  r.time("last_attempt"),
		LastAnswer:   r.str("last_answer"),
		Mismatches:   r.mismatches("mismatches"),
	}
	if code, ok := m["stop_code"]; ok {
		st.Stop = &updater.Stop{Code: code, Reason: r.str("stop_reason"), At: r.time("stop_at")}
	} else if _, ok := m["stop_reason"]; ok {
		return updater.State{}, errors.New("a stop without its code")
	}
	if r.err != nil {
		return updater.State{}, r.err
	}
	return st, nil
}

// Run is what the daemon saw at a profile's last check, for `ddns-updater status`.
type Run struct {
	CheckedAt time.Time
	NextCheck time.Time // zero: only on an address change or a signal
	Observed  []netip.Addr
	Device    string
	Summary   string
	OK        bool
}

// SaveRun records the last check of profile name (NAME.run beside its state).
func (d *Dir) SaveRun(name string, run Run) error {
	r := newRecord()
	r.time("checked_at", run.CheckedAt)
	r.time("next_check", run.NextCheck)
	r.addrs("observed", run.Observed)
	r.put("device", run.Device)
	r.put("summary", run.Summary)
	if run.OK {
		r.put("ok", "1")
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(d.Path, name+".run"), r.bytes())
}

// LoadRun reads what SaveRun recorded; a missing file is a zero Run.
func (d *Dir) LoadRun(name string) (Run, error) {
	data, err := os.ReadFile(filepath.Join(d.Path, name+".run"))
	if errors.Is(err, fs.ErrNotExist) {
		return Run{}, nil
	}
	if err != nil {
		return Run{}, err
	}
	m, err := fields(data)
	if err != nil {
		return Run{}, err
	}
	r := &reader{m: m}
	run := Run{CheckedAt: r.time("checked_at"), NextCheck: r.time("next_check"), Observed: r.addrs("observed"),
		Device: r.str("device"), Summary: r.str("summary"), OK: r.str("ok") == "1"}
	return run, r.err
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// writeAtomic writes data to path through a temporary file; errors name path,
// not the temporary file, so that a lasting failure reads the same every time.
func writeAtomic(path string, data []byte) error {
	if err := write(path, data); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if dir, err := os.Open(filepath.Dir(path)); err == nil {
		dir.Sync() // make the rename durable where the file system allows it
		dir.Close()
	}
	return nil
}

// Prune removes the state of every profile not named in keep (a profile that
// left the configuration) and returns the names it removed.
func (d *Dir) Prune(keep []string) ([]string, error) {
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	wanted := map[string]bool{}
	for _, k := range keep {
		wanted[k] = true
	}
	var removed []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".state")
		if !ok || strings.HasPrefix(name, ".") || wanted[name] {
			continue
		}
		if err := os.Remove(d.file(name)); err != nil {
			return removed, err
		}
		os.Remove(filepath.Join(d.Path, name+".run"))
		d.mu.Lock()
		delete(d.mem, name)
		delete(d.last, name)
		d.mu.Unlock()
		removed = append(removed, name)
	}
	return removed, nil
}
