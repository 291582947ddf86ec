package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// lockName is the file the daemon keeps locked (flock) in the state directory
// for as long as it runs. The kernel drops the lock when the process ends, however
// it ends, so that no stale file can make a dead daemon look alive.
const lockName = "daemon.lock"

// holds keeps the locked files of the process reachable: a file only a
// forgotten Dir referred to would be closed by its finalizer at the next
// collection, and the lock dropped with it while the daemon still runs.
var holds struct {
	sync.Mutex
	files []*os.File
}

// ErrHeld says another running daemon holds the state directory.
var ErrHeld = errors.New("another ddns-updater daemon uses this state directory")

// Hold marks the directory as used by this process's daemon until the process
// ends: `status` then knows that a daemon runs, and a second daemon on the same
// directory is refused with ErrHeld (naming its pid when it can).
func (d *Dir) Hold() error {
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return err
	}
	path := filepath.Join(d.Path, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			if p := strings.TrimSpace(string(pid)); p != "" {
				return fmt.Errorf("%s: %w (pid %s)", d.Path, ErrHeld, p)
			}
			return fmt.Errorf("%s: %w", d.Path, ErrHeld)
		}
		return fmt.Errorf("locking %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	holds.Lock()
	holds.files = append(holds.files, f) // kept open until the process ends: closing it would drop the lock
	holds.Unlock()
	return nil
}

// Running reports whether a daemon holds the directory now.
func (d *Dir) Running() bool {
	f, err := os.Open(filepath.Join(d.Path, lockName))
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	return errors.Is(err, syscall.EWOULDBLOCK)
}
