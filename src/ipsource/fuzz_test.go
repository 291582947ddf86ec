package ipsource

import "testing"

// FuzzExtract: any checkip answer gives an address of the asked family, or an error.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{"<html><body>Current IP Address: 203.0.113.7</body></html>", "2001:db8::7", "::ffff:203.0.113.7",
		"ip=203.0.113.7.", "Address:2001:db8:0:1::7", "garbage", "", "1.2.3.4.5.6", ":::::", "fe80::1%eth0"} {
		f.Add([]byte(s), false, true)
		f.Add([]byte(s), true, false)
	}
	f.Fuzz(func(t *testing.T, body []byte, v6, anywhere bool) {
		a, err := Extract(body, v6, anywhere)
		if err != nil {
			return
		}
		if !a.IsValid() || a.Is6() != v6 || a.Zone() != "" || (v6 && a.Is4In6()) {
			t.Fatalf("Extract(%q, v6=%v) = %v", body, v6, a)
		}
	})
}
