package seccomp

//go:generate go run gen.go

import (
	"fmt"
	"syscall"
	"unsafe"
)

// Install applies p to every thread of the process, for good: no_new_privs,
// then the filter (seccomp(2) with TSYNC, since the Go runtime runs on several
// threads already). Children inherit it. It says how many calls it allows
// and which names this architecture does not have.
func Install(p *Policy) (allowed int, unknown []string, err error) {
	prog, unknown, err := program(p, auditArch, numbers)
	if err != nil {
		return 0, unknown, err
	}
	const prSetNoNewPrivs, setModeFilter, flagTsync = 38, 1, 1
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); e != 0 {
		return 0, unknown, fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", e)
	}
	fprog := syscall.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	r, _, e := syscall.RawSyscall(sysSeccomp, setModeFilter, flagTsync, uintptr(unsafe.Pointer(&fprog)))
	if e != 0 {
		return 0, unknown, fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", e)
	}
	if r != 0 {
		return 0, unknown, fmt.Errorf("seccomp: thread %d could not take the filter", r)
	}
	return len(prog) - 6, unknown, nil
}
