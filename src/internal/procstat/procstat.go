// Package procstat reads what benchmarks report of a process from /proc: CPU
// time, memory, and wake-ups.
package procstat

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Status returns the named fields of /proc/PID/status (kB for sizes).
func Status(pid int, keys ...string) map[string]int {
	return statusFile(fmt.Sprintf("/proc/%d/status", pid), keys...)
}

func statusFile(path string, keys ...string) map[string]int {
	out := map[string]int{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ":")
		for _, want := range keys {
			if f := strings.Fields(v); k == want && len(f) > 0 {
				out[k], _ = strconv.Atoi(f[0])
			}
		}
	}
	return out
}

// CPU returns a process's CPU time, user and system (USER_HZ is 100 on Linux).
func CPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+2:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// Wakeups returns the voluntary context switches of all of a process's threads:
// each is a wake-up from sleep.
func Wakeups(pid int) int {
	n := 0
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	for _, task := range tasks {
		n += statusFile(task+"/status", "voluntary_ctxt_switches")["voluntary_ctxt_switches"]
	}
	return n
}
