package runner

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/updater"
)

// lastQuery is the query of the provider's last request.
func (p *provider) lastQuery() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	q, _ := url.ParseQuery(p.query[len(p.query)-1])
	return q
}

// TestPresetWays: what a preset says reaches the provider. The server is
// overridden to the loopback provider, as a user's option would.
func TestPresetWays(t *testing.T) {
	t.Run("credentials in the query (spdyn.de)", func(t *testing.T) {
		e := newEnv(t, nil)
		p := e.profile("\toption service 'spdyn.de'\n")
		if res := e.run(p); !res.OK {
			t.Fatalf("%+v\n%s", res, e.logs)
		}
		q := e.prov.lastQuery()
		if got := e.prov.last(); got.Auth || q.Get("user") != "me@example.com" || q.Get("pass") != password || q.Get("myip") != "203.0.113.7" {
			t.Errorf("request %+v, query %v", got, q)
		}
		e.noPasswordInLogs()
		e.advance(time.Hour)
		e.setIP(ipB)
		r := e.runner()
		r.DryRun = true
		r.Run(t.Context(), p, nil)
		if !strings.Contains(e.logs.String(), "pass=********") {
			t.Errorf("the dry run should show the masked password in the query:\n%s", e.logs)
		}
		e.noPasswordInLogs()
	})
	t.Run("the family not sent is kept (desec.io)", func(t *testing.T) {
		e := newEnv(t, nil)
		if res := e.run(e.profile("\toption service 'desec.io'\n")); !res.OK {
			t.Fatalf("%+v\n%s", res, e.logs)
		}
		q := e.prov.lastQuery()
		if got := e.prov.last(); !got.Auth || q.Get("myip") != "203.0.113.7" || q.Get("myipv6") != "preserve" || q.Has("myipv4") {
			t.Errorf("request %+v, query %v", got, q)
		}
	})
	t.Run("min_interval (ipv64.net)", func(t *testing.T) {
		e := newEnv(t, nil)
		p := e.profile("\toption service 'ipv64.net'\n")
		if res := e.run(p); !res.OK || e.prov.count() != 1 {
			t.Fatalf("%+v\n%s", res, e.logs)
		}
		e.prov.answer(200, "good 203.0.113.8")
		e.setIP(ipB)
		e.advance(10 * time.Minute)
		res := e.run(p)
		if e.prov.count() != 1 || res.Action != updater.Wait || !res.Next.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("a change 10 min after an update waits for min_interval 30m: %+v, %d requests", res, e.prov.count())
		}
		e.advance(20 * time.Minute)
		if res := e.run(p); !res.OK || e.prov.count() != 2 || e.prov.last().MyIP != "203.0.113.8" {
			t.Errorf("after min_interval the change goes: %+v, %d requests", res, e.prov.count())
		}
	})
}
