package dyndns2

import (
	"crypto/x509"

	"ddns-updater/src/transport"

	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseAnswer(t *testing.T) {
	two := []string{"a.example.com", "b.example.com"}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		hosts  []string
		want   []Code
		worst  Code
	}{
		{"good", 200, "good 203.0.113.7\n", two[:1], []Code{Good}, Good},
		{"nochg", 200, "nochg 203.0.113.7", two[:1], []Code{NoChg}, NoChg},
		{"good loopback is badagent", 200, "good 127.0.0.1", two[:1], []Code{BadAgent}, BadAgent},
		{"per host", 200, "good 203.0.113.7\r\nnohost\r\n", two, []Code{Good, NoHost}, NoHost},
		{"account-wide", 200, "badauth", two, []Code{BadAuth, BadAuth}, BadAuth},
		{"wait beats registered", 200, "nochg 203.0.113.7\n911", two, []Code{NoChg, Emergency}, Emergency},
		{"fewer lines than hosts", 200, "good 203.0.113.7\ngood 203.0.113.7", append(two, "c.example.com"), []Code{Good, Good, Missing}, Missing},
		{"more lines than hosts", 200, "good 203.0.113.7\ngood 203.0.113.7\ngood 203.0.113.7", two, []Code{Good, Good}, Good},
		{"html 200", 200, "<html><body>Welcome</body></html>", two[:1], []Code{Unknown}, Unknown},
		{"html holding one answer", 200, "<html><head><title>x</title></head><body><p>good 203.0.113.7</p></body></html>", two[:1], []Code{Good}, Good},
		{"html holding nochg for two hosts", 200, "<html><body>nochg</body></html>", two, []Code{NoChg, NoChg}, NoChg},
		{"html with a header element", 200, "<html><body><header>Provider</header>good 203.0.113.7</body></html>", two[:1], []Code{Unknown}, Unknown},
		{"html with script", 200, "<html><script>var x = 'nohost';</script><body>nochg 203.0.113.7</body></html>", two[:1], []Code{NoChg}, NoChg},
		{"empty 200", 200, "", two[:1], []Code{Unknown}, Unknown},
		{"unknown word", 200, "maybe", two[:1], []Code{Unknown}, Unknown},
		{"401 with code", 401, "badauth", two[:1], []Code{BadAuth}, BadAuth},
		{"401 json", 401, `{"message": "Unauthorized"}`, two[:1], []Code{Refused}, Refused},
		{"403 empty", 403, "", two, []Code{Refused, Refused}, Refused},
		{"404 page", 404, "not found", two[:1], []Code{Unknown}, Unknown},
		{"503", 503, "<html>busy</html>", two[:1], []Code{ServerError}, ServerError},
		{"429", 429, "", two[:1], []Code{ServerError}, ServerError},
		{"dynu servererror", 200, "servererror", two[:1], []Code{ServerErr}, ServerErr},
		{"old dyn w30m", 200, "w30m", two[:1], []Code{"w30m"}, "w30m"},
		{"every code", 200, "!donator", two[:1], []Code{NotDonator}, NotDonator},
		{"upper case", 200, "NOCHG 203.0.113.7", two[:1], []Code{NoChg}, NoChg},
		{"pseudo code is not accepted from the wire", 200, "redirect", two[:1], []Code{Unknown}, Unknown},
		{"pseudo code missing is not accepted from the wire", 200, "missing", two[:1], []Code{Unknown}, Unknown},
		{"invalid utf8", 200, "\xff\xfe", two[:1], []Code{Unknown}, Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ParseAnswer(tc.status, []byte(tc.body), tc.hosts)
			if len(a.Results) != len(tc.hosts) {
				t.Fatalf("%d results for %d hosts", len(a.Results), len(tc.hosts))
			}
			for i, r := range a.Results {
				if r.Code != tc.want[i] || r.Host != tc.hosts[i] {
					t.Errorf("result %d = %+v, want %s for %s", i, r, tc.want[i], tc.hosts[i])
				}
			}
			if w := a.Worst().Code; w != tc.worst {
				t.Errorf("worst = %s, want %s", w, tc.worst)
			}
		})
	}
	if r := parseLine("good 203.0.113.7"); r.IP != netip.MustParseAddr("203.0.113.7") {
		t.Errorf("IP of good = %v", r.IP)
	}
	if a := ParseAnswer(200, []byte("good 203.0.113.7\ngood 203.0.113.7"), two[:1]); a.Extra != 1 {
		t.Errorf("one extra line: Extra = %d", a.Extra)
	}
	if a := ParseAnswer(200, []byte("w30m"), two[:1]); a.RetryAfter != 30*time.Minute {
		t.Errorf("w30m: RetryAfter = %v", a.RetryAfter)
	}
	if a := ParseAnswer(200, []byte("w2h"), two[:1]); a.RetryAfter != 2*time.Hour || a.Worst().Code.Kind() != Wait {
		t.Errorf("w2h: %+v", a)
	}
	a := ParseAnswer(200, []byte("good 203.0.113.7\nnochg 2001:db8::7\ngood 203.0.113.9"), []string{"a", "b", "c"})
	if h := a.Held(); len(h) != 2 || h[0] != netip.MustParseAddr("203.0.113.7") || h[1] != netip.MustParseAddr("2001:db8::7") {
		t.Errorf("Held = %v", h)
	}
}

func TestKinds(t *testing.T) {
	for c, k := range map[Code]Kind{
		Good: Registered, NoChg: Registered, DNSErr: Wait, Emergency: Wait, ServerError: Wait,
		BadAuth: Fatal, NotDonator: Fatal, NotFQDN: Fatal, NoHost: Fatal, NumHost: Fatal, Abuse: Fatal,
		BadAgent: Fatal, BadSys: Fatal, NotYours: Fatal, NotActive: Fatal, Redirect: Fatal, Refused: Fatal,
		ServerErr: Wait, "w30m": Wait, "w1h": Wait, Missing: Wait,
		Unknown: Failure, Code("whatever"): Failure, "w0m": Failure, "w30x": Failure,
	} {
		if c.Kind() != k {
			t.Errorf("%s.Kind() = %v, want %v", c, c.Kind(), k)
		}
		if c.Meaning() == "" {
			t.Errorf("%s has no meaning", c)
		}
	}
}

func TestClean(t *testing.T) {
	if got := clean("a\x00b\x1bc\xff" + strings.Repeat("é", 100)); strings.ContainsAny(got, "\x00\x1b") || len(got) > 124 || !strings.HasSuffix(got, "...") {
		t.Errorf("clean = %q", got)
	}
}

func TestRequestURL(t *testing.T) {
	r := Request{HTTPS: true, Server: "[2001:db8::1]:8443", Path: "/nic/update?system=dyndns",
		Username: "me@example.com", Password: "s3cret", Hostnames: []string{"a.example.com", "*.example.com"},
		IPs: []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::7")}, UserAgent: "x"}
	want := "https://[2001:db8::1]:8443/nic/update?system=dyndns&hostname=a.example.com,%2A.example.com&myip=203.0.113.7,2001:db8::7"
	if got := r.URL(); got != want {
		t.Errorf("URL\n got %s\nwant %s", got, want)
	}
	if s := r.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "********") {
		t.Errorf("String() = %s", s)
	}
	r.IPv6Param = "myipv6"
	if got := r.URL(); !strings.HasSuffix(got, "&myip=203.0.113.7&myipv6=2001:db8::7") {
		t.Errorf("with the IPv6 parameter: %s", got)
	}
	r.IPs = r.IPs[1:]
	if got := r.URL(); !strings.HasSuffix(got, "&hostname=a.example.com,%2A.example.com&myipv6=2001:db8::7") {
		t.Errorf("IPv6 alone in its parameter: %s", got)
	}
}

func TestUpdateRequest(t *testing.T) {
	var got *http.Request
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write([]byte("good 203.0.113.7\n"))
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c := &Client{HTTP: &transport.Client{Network: "tcp", Roots: pool}}
	r := Request{HTTPS: true, Server: strings.TrimPrefix(srv.URL, "https://"), Path: "/nic/update",
		Username: "me@example.com", Password: "p:ä'ss \"w", Hostnames: []string{"home.example.com"},
		IPs: []netip.Addr{netip.MustParseAddr("203.0.113.7")}, UserAgent: "ddns-updater/test"}
	a, err := c.Update(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if a.Worst().Code != Good {
		t.Errorf("answer %+v", a)
	}
	user, pass, ok := got.BasicAuth()
	if !ok || user != r.Username || pass != r.Password {
		t.Errorf("basic auth %q %q %v", user, pass, ok)
	}
	if got.URL.Path != "/nic/update" || got.URL.Query().Get("hostname") != "home.example.com" ||
		got.URL.Query().Get("myip") != "203.0.113.7" || got.UserAgent() != "ddns-updater/test" || got.Method != "GET" {
		t.Errorf("request %s %s UA %q", got.Method, got.URL, got.UserAgent())
	}
}

// TestQueryAuth: credentials in the query for the providers that want them so:
// no Authorization header, the password escaped, and masked in String().
func TestQueryAuth(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write([]byte("good 2001:db8::7\n"))
	}))
	defer srv.Close()
	r := Request{Server: strings.TrimPrefix(srv.URL, "http://"), Path: "/nic/update",
		Username: "me@example.com", Password: "p&ss=w+rd", Hostnames: []string{"home.example.com"},
		IPs: []netip.Addr{netip.MustParseAddr("2001:db8::7")}, UserParam: "user", PasswordParam: "pass",
		Keep4: "myipv4=preserve", Keep6: "myipv6=preserve"}
	a, err := (&Client{}).Update(context.Background(), r)
	if err != nil || a.Worst().Code != Good {
		t.Fatalf("%+v, %v", a, err)
	}
	q := got.URL.Query()
	if got.Header.Get("Authorization") != "" || q.Get("user") != r.Username || q.Get("pass") != r.Password {
		t.Errorf("query auth: Authorization %q, user %q, pass %q", got.Header.Get("Authorization"), q.Get("user"), q.Get("pass"))
	}
	if q.Get("myip") != "2001:db8::7" || q.Get("myipv4") != "preserve" || q.Has("myipv6") {
		t.Errorf("an IPv6-only request keeps IPv4 (Keep4) and nothing else: %s", got.URL.RawQuery)
	}
	if s := r.String(); strings.Contains(s, "p&ss") || strings.Contains(s, "p%26ss") || !strings.Contains(s, "pass=********") {
		t.Errorf("String() = %s", s)
	}
	if u := r.URL(); strings.Contains(u, "p%26ss") {
		t.Errorf("URL() holds the password: %s", u)
	}
	r.IPs = []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::7")}
	if u := r.URL(); strings.Contains(u, "preserve") {
		t.Errorf("a request with both families keeps nothing: %s", u)
	}
	r.IPs, r.Keep4 = r.IPs[1:], "myip=no"
	if u := r.URL(); strings.Contains(u, "myip=no") {
		t.Errorf("a keep part whose parameter the request has already is left out: %s", u)
	}
}

func TestRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte("good 203.0.113.7"))
	}))
	defer other.Close()
	var sawAuthAfterRedirect bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/nic/update?"+r.URL.RawQuery, http.StatusFound)
		case "/https":
			http.Redirect(w, r, "https://"+r.Host+"/nic/update", http.StatusMovedPermanently)
		case "/same":
			http.Redirect(w, r, "/moved?"+r.URL.RawQuery, http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/moved":
			_, _, sawAuthAfterRedirect = r.BasicAuth()
			w.Write([]byte("nochg 203.0.113.7"))
		}
	}))
	defer srv.Close()
	c := &Client{}
	req := func(path string) Request {
		return Request{Server: strings.TrimPrefix(srv.URL, "http://"), Path: path, Username: "u", Password: "p",
			Hostnames: []string{"home.example.com"}, IPs: []netip.Addr{netip.MustParseAddr("203.0.113.7")}}
	}
	for path, want := range map[string]Code{"/away": Redirect, "/https": Redirect, "/same": NoChg} {
		a, err := c.Update(context.Background(), req(path))
		if err != nil || a.Worst().Code != want {
			t.Errorf("%s: %+v, %v; want %s", path, a, err, want)
		}
	}
	if elsewhere.Load() != 0 {
		t.Error("the request followed a redirect to another host")
	}
	if !sawAuthAfterRedirect {
		t.Error("a same-host redirect should keep the credentials")
	}
	if _, err := c.Update(context.Background(), req("/loop")); err == nil || !strings.Contains(err.Error(), "redirects") {
		t.Errorf("redirect loop: %v", err)
	}
}

func TestNetworkErrorIsError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close() // nothing listens there now
	_, err := (&Client{}).Update(context.Background(), Request{Server: addr, Path: "/", Hostnames: []string{"h.example.com"}})
	if err == nil {
		t.Fatal("a refused connection must be an error")
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		retry, date string
		want        time.Duration
	}{
		{"", "", 0},
		{"3600", "", time.Hour},
		{"soon", "", 0},
		{"Wed, 21 Oct 2026 09:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 2 * time.Hour},
		{"Wednesday, 21-Oct-26 09:28:00 GMT", "Wed Oct 21 07:28:00 2026", 2 * time.Hour}, // RFC 850 and asctime dates
		{"Wed, 21 Oct 2026 07:28:00 GMT", "", 0},
		{"Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 09:28:00 GMT", 0},
	} {
		if got := retryAfter(tc.retry, tc.date); got != tc.want {
			t.Errorf("retryAfter(%q, %q) = %v, want %v", tc.retry, tc.date, got, tc.want)
		}
	}
}
