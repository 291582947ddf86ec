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
	last map[string][]byte // what each file holds, as far as this process knows
}

// Open returns the state directory at path; it is created (0700) on the first save.
func Open(path string) *Dir {
	return &Dir{Path: path, last: map[string][]byte{}}
}

func (d *Dir) file(name string) string {
	return filepath.Join(d.Path, name+".state")
}

// Load reads the state of profile name. A missing file is an empty state and no
// error; a truncated or unreadable one is an empty state and an error, which
// callers log before going on as if there were no state.
func (d *Dir) Load(name string) (updater.State, error) {
	data, err := os.ReadFile(d.file(name))
	if errors.Is(err, fs.ErrNotExist) {
		return updater.State{}, nil
	}
	if err != nil {
		return updater.State{}, err
	}
	st, err := Decode(data)
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

// Encode writes st in the state file format.
func Encode(st updater.State) []byte {
	var b bytes.Buffer
	b.WriteString(header + "\n")
	put := func(k, v string) {
		if v != "" {
			b.WriteString(k + " " + oneLine(v) + "\n")
		}
	}
	putTime := func(k string, t time.Time) {
		if !t.IsZero() {
			put(k, t.UTC().Format(time.RFC3339Nano))
		}
	}
	put("fingerprint", st.Fingerprint)
	addrs := make([]string, len(st.Registered))
	for i, a := range st.Registered {
		addrs[i] = a.String()
	}
	put("registered", strings.Join(addrs, " "))
	putTime("registered_at", st.RegisteredAt)
	put("source", st.Source)
	if st.Stop != nil {
		put("stop_code", st.Stop.Code)
		put("stop_reason", st.Stop.Reason)
		putTime("stop_at", st.Stop.At)
	}
	putTime("not_before", st.NotBefore)
	if st.Failures > 0 {
		put("failures", strconv.Itoa(st.Failures))
	}
	putTime("last_attempt", st.LastAttempt)
	put("last_answer", st.LastAnswer)
	b.WriteString("end\n")
	return b.Bytes()
}

// Decode reads the state file format; unknown keys are skipped.
func Decode(data []byte) (updater.State, error) {
	var st updater.State
	lines := strings.Split(string(data), "\n")
	if len(lines) == 0 || lines[0] != header {
		return st, errors.New("not a state file")
	}
	ended := false
	for n, line := range lines[1:] {
		if line == "end" {
			ended = true
			break
		}
		k, v, _ := strings.Cut(line, " ")
		var err error
		switch k {
		case "fingerprint":
			st.Fingerprint = v
		case "registered":
			for _, f := range strings.Fields(v) {
				var a netip.Addr
				if a, err = netip.ParseAddr(f); err == nil {
					st.Registered = append(st.Registered, a)
				}
			}
		case "registered_at":
			st.RegisteredAt, err = time.Parse(time.RFC3339Nano, v)
		case "source":
			st.Source = v
		case "stop_code", "stop_reason", "stop_at":
			if st.Stop == nil {
				st.Stop = &updater.Stop{}
			}
			switch k {
			case "stop_code":
				st.Stop.Code = v
			case "stop_reason":
				st.Stop.Reason = v
			default:
				st.Stop.At, err = time.Parse(time.RFC3339Nano, v)
			}
		case "not_before":
			st.NotBefore, err = time.Parse(time.RFC3339Nano, v)
		case "failures":
			st.Failures, err = strconv.Atoi(v)
		case "last_attempt":
			st.LastAttempt, err = time.Parse(time.RFC3339Nano, v)
		case "last_answer":
			st.LastAnswer = v
		}
		if err != nil {
			return updater.State{}, fmt.Errorf("line %d: %s: %w", n+2, k, err)
		}
	}
	if !ended {
		return updater.State{}, errors.New("truncated (no end line)")
	}
	if st.Stop != nil && st.Stop.Code == "" {
		return updater.State{}, errors.New("a stop without its code")
	}
	return st, nil
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

func writeAtomic(path string, data []byte) error {
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
