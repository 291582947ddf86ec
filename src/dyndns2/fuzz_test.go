package dyndns2

import (
	"testing"
	"unicode/utf8"
)

// FuzzParseAnswer: any answer gives one known result per host (a code of
// ours, or a wait code such as w30m), never a panic.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []string{"good 203.0.113.7", "nochg 203.0.113.7\nnohost", "badauth", "911", "<html>x</html>", "", "good 127.0.0.1", "\xff\xfe", "abuse\r\n\r\n",
		"w30m", "servererror", "<html><head><title>t</title></head><body>nochg 203.0.113.7</body></html>", "good 203.0.113.7\ngood 203.0.113.7"} {
		f.Add(200, []byte(s), uint8(1))
	}
	f.Add(503, []byte("busy"), uint8(2))
	f.Fuzz(func(t *testing.T, status int, body []byte, n uint8) {
		hosts := make([]string, int(n%25)+1)
		for i := range hosts {
			hosts[i] = "h.example.com"
		}
		a := ParseAnswer(status, body, hosts)
		if len(a.Results) != len(hosts) {
			t.Fatalf("%d results for %d hosts", len(a.Results), len(hosts))
		}
		for _, r := range a.Results {
			_, wait := waitCode(r.Code)
			if _, known := codes[r.Code]; !known && !wait {
				t.Fatalf("code %q is not one of ours", r.Code)
			}
			if !utf8.ValidString(r.Line) || len(r.Line) > 140 {
				t.Fatalf("line not cleaned: %q", r.Line)
			}
			for _, c := range r.Line {
				if c < 0x20 {
					t.Fatalf("control character in %q", r.Line)
				}
			}
		}
		_ = a.Worst()
	})
}
