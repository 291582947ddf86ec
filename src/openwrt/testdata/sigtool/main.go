// Command sigtool is the router's kill(1) for the script tests. Built for the
// router's architecture and run under qemu-user, it speaks that architecture's
// signal numbers, as the router's own busybox and procd do (SIGUSR1 is 10 on
// x86 and ARM, 16 on MIPS; 10 is SIGBUS there):
//
//	sigtool -l NAME        print NAME's number (busybox's kill -l, which procd.sh uses)
//	sigtool -N PID         send signal number N (procd's kill(2) on ubus call service signal)
//	sigtool -s NAME PID    send the signal named NAME
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	a := os.Args[1:]
	switch {
	case len(a) == 2 && a[0] == "-l":
		n := unix.SignalNum("SIG" + strings.TrimPrefix(strings.ToUpper(a[1]), "SIG"))
		if n == 0 {
			fail("unknown signal " + a[1])
		}
		fmt.Println(int(n))
	case len(a) == 3 && a[0] == "-s":
		n := unix.SignalNum("SIG" + strings.TrimPrefix(strings.ToUpper(a[1]), "SIG"))
		if n == 0 {
			fail("unknown signal " + a[1])
		}
		send(n, a[2])
	case len(a) == 2 && strings.HasPrefix(a[0], "-"):
		n, err := strconv.Atoi(a[0][1:])
		if err != nil {
			fail("bad signal " + a[0])
		}
		send(unix.Signal(n), a[1])
	default:
		fail("usage: sigtool -l NAME | -N PID | -s NAME PID")
	}
}

func send(sig unix.Signal, pid string) {
	p, err := strconv.Atoi(pid)
	if err != nil {
		fail("bad pid " + pid)
	}
	if err := unix.Kill(p, sig); err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "sigtool:", msg)
	os.Exit(1)
}
