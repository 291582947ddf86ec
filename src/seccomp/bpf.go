package seccomp

import (
	"fmt"
	"slices"
	"syscall"
)

// BPF instruction classes and fields (linux/filter.h).
const (
	bpfLD  = 0x00
	bpfW   = 0x00
	bpfABS = 0x20
	bpfJMP = 0x05
	bpfJEQ = 0x10
	bpfK   = 0x00
	bpfRET = 0x06
)

// offsets in struct seccomp_data
const (
	offNr   = 0
	offArch = 4
)

// program is the filter for arch (an AUDIT_ARCH value) with numbers giving
// the system calls of that architecture: a call from another ABI kills the
// process (x32 or int 0x80 on amd64 are ways around a list); an allowed one
// passes; any other gets the policy's default. Names this architecture lacks
// are left out, as procd does; unknown counts them.
func program(p *Policy, arch uint32, numbers map[string]uint32) (prog []syscall.SockFilter, unknown []string, err error) {
	var nrs []uint32
	for _, n := range p.Allow {
		if nr, ok := numbers[n]; ok {
			nrs = append(nrs, nr)
		} else {
			unknown = append(unknown, n)
		}
	}
	slices.Sort(nrs)
	nrs = slices.Compact(nrs)
	if len(nrs) == 0 || len(nrs) > 250 { // a jump reaches 255 instructions ahead at most
		return nil, unknown, fmt.Errorf("%d system calls known here; want 1 to 250", len(nrs))
	}
	ins := func(code uint16, jt, jf uint8, k uint32) syscall.SockFilter {
		return syscall.SockFilter{Code: code, Jt: jt, Jf: jf, K: k}
	}
	prog = append(prog,
		ins(bpfLD|bpfW|bpfABS, 0, 0, offArch),
		ins(bpfJMP|bpfJEQ|bpfK, 1, 0, arch),
		ins(bpfRET|bpfK, 0, 0, retKillProcess),
		ins(bpfLD|bpfW|bpfABS, 0, 0, offNr))
	for i, nr := range nrs {
		prog = append(prog, ins(bpfJMP|bpfJEQ|bpfK, uint8(len(nrs)-i), 0, nr)) // to the allow at the end
	}
	prog = append(prog, ins(bpfRET|bpfK, 0, 0, p.Default), ins(bpfRET|bpfK, 0, 0, retAllow))
	return prog, unknown, nil
}
