// Package seccomp installs the daemon's system-call filter: the OCI-style
// policy that procd's seccomp files use (/etc/seccomp/NAME.json), turned into
// a BPF program for this architecture and applied to every thread. procd
// itself applies such a file through a preload library, which a static Go
// binary never loads (SECURITY.md); so the program does it.
package seccomp

import (
	"fmt"

	"ddns-updater/src/jsonlite"
)

// The filter's verdicts (linux/seccomp.h).
const (
	retKillProcess = 0x80000000
	retTrap        = 0x00030000
	retErrno       = 0x00050000
	retLog         = 0x7ffc0000
	retAllow       = 0x7fff0000
	eperm          = 1
)

// Policy is a list of allowed system calls and what any other one gets.
type Policy struct {
	Default uint32   // the verdict for a call not in Allow
	Allow   []string // system call names, as the kernel's tables give them
}

var actions = map[string]uint32{
	"SCMP_ACT_KILL_PROCESS": retKillProcess,
	"SCMP_ACT_KILL":         retKillProcess, // a thread killed alone would leave the Go runtime hanging
	"SCMP_ACT_TRAP":         retTrap,
	"SCMP_ACT_ERRNO":        retErrno | eperm,
	"SCMP_ACT_LOG":          retLog,
}

// Parse reads a policy: {"defaultAction": ..., "syscalls": [{"names": [...],
// "action": "SCMP_ACT_ALLOW"}]}. Other actions and argument filters are not
// this program's, and are errors rather than silently weaker rules.
func Parse(data []byte) (*Policy, error) {
	v, err := jsonlite.Parse(data)
	if err != nil {
		return nil, err
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	def, _ := top["defaultAction"].(string)
	p := &Policy{}
	if p.Default, ok = actions[def]; !ok {
		return nil, fmt.Errorf("defaultAction %q: want SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP or SCMP_ACT_LOG", def)
	}
	rules, _ := top["syscalls"].([]any)
	for i, r := range rules {
		rule, _ := r.(map[string]any)
		if rule["action"] != "SCMP_ACT_ALLOW" || rule["args"] != nil {
			return nil, fmt.Errorf("syscalls[%d]: only SCMP_ACT_ALLOW rules without args are supported", i)
		}
		names, _ := rule["names"].([]any)
		for _, n := range names {
			s, ok := n.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("syscalls[%d]: a name that is not a string", i)
			}
			p.Allow = append(p.Allow, s)
		}
	}
	if len(p.Allow) == 0 {
		return nil, fmt.Errorf("no system call allowed")
	}
	return p, nil
}
