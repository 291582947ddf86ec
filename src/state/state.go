// Package state keeps one small JSON file per profile in the state directory,
// written atomically (temporary file, fsync, rename) and only when it changes.
package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

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
	return filepath.Join(d.Path, name+".json")
}

// Load reads the state of profile name into v. A missing file leaves v alone and
// returns nil; a truncated or unreadable one leaves v alone and returns the error,
// which callers log before going on as if there were no state.
func (d *Dir) Load(name string, v any) error {
	data, err := os.ReadFile(d.file(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", d.file(name), err)
	}
	d.mu.Lock()
	d.last[name] = data
	d.mu.Unlock()
	return nil
}

// Save writes v as the state of profile name, unless the file already holds it.
func (d *Dir) Save(name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
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

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
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
