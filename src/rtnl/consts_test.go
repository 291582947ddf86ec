package rtnl

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The groups Dial subscribes to, held to x/sys/unix's (the binary does without it).
func TestGroups(t *testing.T) {
	if rtmgrpLink != unix.RTMGRP_LINK || rtmgrpIPv4IfAddr != unix.RTMGRP_IPV4_IFADDR || rtmgrpIPv6IfAddr != unix.RTMGRP_IPV6_IFADDR {
		t.Errorf("groups %#x %#x %#x", rtmgrpLink, rtmgrpIPv4IfAddr, rtmgrpIPv6IfAddr)
	}
}
