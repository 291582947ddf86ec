package runner

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/state"
	"ddns-updater/src/updater"
)

// TestMain fails the package when any test leaves a goroutine behind. Go's
// resolver finishes a lookup whose caller gave up in the background (for other
// callers of the same name) until its own timeout; those are not ours.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("net.(*Resolver).lookupIPAddr.func2"),
		goleak.IgnoreAnyFunction("net.(*Resolver).goLookupIPCNAMEOrder.func4"),
		goleak.IgnoreAnyFunction("net.(*Resolver).exchange"))
}

// swapProvider replaces the provider's handler for one test.
func swapProvider(t *testing.T, e *env, h http.HandlerFunc) *atomic.Int32 {
	var n atomic.Int32
	e.provSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	})
	return &n
}

func TestProviderResetsMidAnswer(t *testing.T) {
	e := newEnv(t, nil)
	n := swapProvider(t, e, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ngood 203.0")
		buf.Flush()
		conn.Close() // the connection breaks mid-answer
	})
	p := e.profile("")
	res := e.run(p)
	st, _ := state.Open(e.stateDir).Load("home")
	if res.OK || st.Stop != nil || st.Failures != 1 || n.Load() != 1 {
		t.Fatalf("a broken answer is a network error, retried later: %+v, %+v", res, st)
	}
	if want := "; no answer from the provider: the connection broke before the answer was complete; retry 1"; !strings.Contains(res.Summary, want) {
		t.Errorf("summary %q lacks %q", res.Summary, want)
	}
	e.advance(30 * time.Second)
	e.run(p)
	if n.Load() != 1 {
		t.Error("retried within the backoff")
	}
	e.noPasswordInLogs()
}

func TestServerErrorsAndRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		status     int
		retryAfter string
		wait       time.Duration
	}{
		{500, "", 30 * time.Minute}, {502, "", 30 * time.Minute}, {503, "", 30 * time.Minute},
		{503, "7200", 2 * time.Hour}, {500, "60", 30 * time.Minute}, {502, "Wed, 21 Oct 2026 07:28:00 GMT", 30 * time.Minute},
	} {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.retryAfter), func(t *testing.T) {
			e := newEnv(t, nil)
			n := swapProvider(t, e, func(w http.ResponseWriter, r *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
			})
			p := e.profile("")
			e.run(p)
			e.advance(tc.wait - time.Second)
			e.run(p)
			if n.Load() != 1 {
				t.Fatalf("sent again before %v", tc.wait)
			}
			e.advance(time.Second)
			e.run(p)
			if n.Load() != 2 {
				t.Errorf("not sent again after %v", tc.wait)
			}
		})
	}
}

// TestHugeAndBrokenBodies: an answer outside the protocol is the provider's
// failure, not the user's: asked again after 30 minutes, then after an hour,
// never stopped; the log shows its first line, bounded and cleaned, once. An
// answer whose first line answers the host name is taken, extra lines ignored
// with a warning.
func TestHugeAndBrokenBodies(t *testing.T) {
	for name, tc := range map[string]struct {
		body   string
		taken  bool
		logged string
	}{
		"10 MB":             {"good 203.0.113.7\n" + strings.Repeat("x", 10<<20), true, "the answer has 1 line(s) more than host names; the extra ones are ignored"},
		"one line too many": {"good 203.0.113.7\ngood 203.0.113.7", true, "the answer has 1 line(s) more than host names; the extra ones are ignored"},
		"invalid UTF-8":     {"\xff\xfe\xfd good \xc3", false, "the provider's answer is not dyndns2: ? good ?"},
		"HTML with 200":     {"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>", false, "the provider's answer is not dyndns2: <!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"},
		"empty 200":         {"", false, "the provider's answer is not dyndns2: empty answer"},
		"10 MB of HTML":     {"<html>" + strings.Repeat("x", 10<<20), false, "the provider's answer is not dyndns2: <html>xxx"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			n := swapProvider(t, e, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.body) })
			p := e.profile("")
			r := e.runner() // one daemon's runs
			res := r.Run(context.Background(), p, nil)
			if res.OK != tc.taken || res.Action != updater.Send {
				t.Fatalf("%+v", res)
			}
			if tc.taken {
				e.advance(24 * time.Hour)
				r.Run(context.Background(), p, nil)
				if n.Load() != 1 {
					t.Errorf("sent again: %d requests", n.Load())
				}
			} else {
				for i, step := range []struct {
					after time.Duration
					want  int32
				}{{29 * time.Minute, 1}, {time.Minute, 2}, {59 * time.Minute, 2}, {time.Minute, 3}, {2 * time.Hour, 4}} {
					e.advance(step.after)
					r.Run(context.Background(), p, nil)
					if n.Load() != step.want {
						t.Fatalf("step %d (+%v): %d requests, want %d\n%s", i, step.after, n.Load(), step.want, e.logs)
					}
				}
				if st, _ := state.Open(e.stateDir).Load("home"); st.Stop != nil {
					t.Error("an answer outside the protocol must never stop the profile")
				}
			}
			c := 0
			for _, line := range strings.Split(e.logs.String(), "\n") {
				if strings.HasPrefix(line, "warn: ") && strings.Contains(line, tc.logged) {
					c++
				}
			}
			if c != 1 {
				t.Errorf("want %q once at warning level, got %d times:\n%.2000s", tc.logged, c, e.logs)
			}
			for _, line := range strings.Split(e.logs.String(), "\n") {
				if len(line) > 600 || !utf8.ValidString(line) {
					t.Errorf("log line not bounded to 600 bytes or not valid UTF-8: %.200q", line)
				}
			}
			e.noPasswordInLogs()
		})
	}
}

// TestFewerAnswerLines: a host name without an answer line is not registered
// and is sent again after 30 minutes; no stop.
func TestFewerAnswerLines(t *testing.T) {
	e := newEnv(t, nil)
	n := swapProvider(t, e, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "good 203.0.113.7") })
	p := e.profile("\toption hostname 'a.example.com, b.example.com, c.example.com'\n")
	n2 := 0
	e.provSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		n2++
		if n2 == 1 {
			fmt.Fprint(w, "good 203.0.113.7\ngood 203.0.113.7") // two lines for three hosts
			return
		}
		fmt.Fprint(w, "nochg 203.0.113.7\nnochg 203.0.113.7\ngood 203.0.113.7")
	})
	if res := e.run(p); res.OK || !strings.Contains(res.Summary, "the answer has no line for this host name") {
		t.Fatalf("%+v", res)
	}
	e.advance(29 * time.Minute)
	e.run(p)
	if n.Load() != 1 {
		t.Fatalf("sent again within the wait: %d", n.Load())
	}
	e.advance(time.Minute)
	if res := e.run(p); !res.OK || n.Load() != 2 {
		t.Fatalf("after the wait: %+v, %d requests", res, n.Load())
	}
	if st, _ := state.Open(e.stateDir).Load("home"); st.Stop != nil || len(st.Registered) != 1 {
		t.Errorf("state %+v", st)
	}
}

// TestFlipFloppingCheckip: a checkip server alternating between two addresses
// causes no update at all: each change needs a second answer that agrees.
func TestFlipFloppingCheckip(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("\toption ip_source web\n")
	e.run(p) // 203.0.113.7 registered
	var flip atomic.Int32
	e.checkSrv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if flip.Add(1)%2 == 0 {
			fmt.Fprint(w, "203.0.113.7")
		} else {
			fmt.Fprint(w, "203.0.113.8")
		}
	})
	r := e.runner() // one daemon, checking every 10 minutes
	for i := 0; i < 20; i++ {
		e.advance(10 * time.Minute)
		r.Run(context.Background(), p, nil)
	}
	if e.prov.count() != 1 || !strings.Contains(e.logs.String(), "checkip answers disagree (203.0.113.8, then 203.0.113.7); nothing sent until two agree") {
		t.Errorf("%d requests\n%s", e.prov.count(), e.logs)
	}
	if n := strings.Count(e.logs.String(), "warn: [home] checkip answers disagree"); n != 1 {
		t.Errorf("a lasting disagreement is one warning, not %d", n)
	}
}

// TestClockNotSet: a router without RTC boots in 1970; the provider's
// certificate is "not yet valid". That is a retry with a hint, never a stop.
func TestClockNotSet(t *testing.T) {
	e := newEnv(t, nil)
	future := testcert.New(t, time.Now().Add(365*24*time.Hour)) // what 1970 sees: valid only later
	e.provSrv.TLS.Certificates = future.Server.Certificates
	// trust both CAs, as a router's bundle would
	ca, _ := os.ReadFile(e.cert.CAFile)
	ca2, _ := os.ReadFile(future.CAFile)
	both := filepath.Join(t.TempDir(), "both.pem")
	os.WriteFile(both, append(ca, ca2...), 0o600)
	p := e.profile("\toption ca_file '" + both + "'\n")
	res := e.run(p)
	st, _ := state.Open(e.stateDir).Load("home")
	if res.OK || st.Stop != nil || st.Failures != 1 || !strings.Contains(res.Summary, "is the clock not set yet?") {
		t.Fatalf("%+v\n%+v", res, st)
	}
	e.provSrv.TLS.Certificates = e.cert.Server.Certificates // NTP has set the clock
	e.advance(time.Minute)
	if res := e.run(p); !res.OK || e.prov.count() != 1 {
		t.Errorf("after the retry: %+v", res)
	}
}

func TestDNSSilentAtStartup(t *testing.T) {
	old := DNSTimeout
	DNSTimeout = 100 * time.Millisecond // stands for the 5 s
	defer func() { DNSTimeout = old }()
	e := newEnv(t, nil)
	e.dns.SetSilent(true)
	if res := e.run(e.profile("")); !res.OK || e.prov.count() != 1 || !strings.Contains(e.logs.String(), "DNS lookup failed; sending the update") {
		t.Errorf("%+v\n%s", res, e.logs)
	}
}

func TestStateTrouble(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("")
	// a state directory that cannot be made: the update still goes out, the log says so once
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o600)
	r := e.runner()
	r.Store = state.Open(filepath.Join(file, "state"))
	for i := 0; i < 3; i++ {
		if res := r.Run(context.Background(), p, nil); !res.OK {
			t.Fatalf("%+v", res)
		}
		e.advance(time.Hour)
	}
	if n := strings.Count(e.logs.String(), "error: [home] state not saved"); n != 1 {
		t.Errorf("said %d times:\n%s", n, e.logs)
	}
	// a corrupt state file: logged, then treated as absent (DNS decides)
	os.WriteFile(filepath.Join(e.stateDir, "home.state"), []byte("# ddns-updater state 1\nregistered 203.0.113.7\n"), 0o600)
	e.run(p)
	if !strings.Contains(e.logs.String(), "state file unreadable; going on as if there were none") {
		t.Errorf("log:\n%s", e.logs)
	}
	e.noPasswordInLogs()
}
