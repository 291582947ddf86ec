// Package provtest runs, on loopback, everything one profile talks to: an
// HTTPS dyndns2 provider that answers good, an HTTPS checkip server, a DNS
// server and an SMTP server with STARTTLS, under a throw-away CA; and writes
// the configuration that points a profile and the mail at them. For tests
// that run the daemon binary as the router runs it.
package provtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/smtptest"
	"ddns-updater/src/internal/testcert"
)

// Address is what the checkip server answers.
const Address = "203.0.113.7"

// World is the servers of one test.
type World struct {
	Cert     *testcert.Cert
	SMTP     *smtptest.Server
	Requests chan string // "hostname=myip" of every update request, in order
	prov     *httptest.Server
	check    *httptest.Server
	dns      *dnstest.Server
}

// Start starts the servers; they stop with the test.
func Start(t testing.TB) *World {
	t.Helper()
	w := &World{Cert: testcert.New(t, time.Now().Add(-time.Hour)), SMTP: smtptest.Start(t, "127.0.0.1:0", "starttls"), Requests: make(chan string, 100)}
	w.prov = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Requests <- q.Get("hostname") + "=" + q.Get("myip")
		fmt.Fprint(rw, "good "+q.Get("myip"))
	}))
	w.check = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { fmt.Fprint(rw, Address) }))
	for _, s := range []*httptest.Server{w.prov, w.check} {
		s.TLS = w.Cert.Server
		s.StartTLS()
		t.Cleanup(s.Close)
	}
	var err error
	if w.dns, err = dnstest.Start(nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.dns.Close() })
	return w
}

// CAFiles are the certificate files a configuration names (ca_file).
func (w *World) CAFiles() []string { return []string{w.Cert.CAFile, w.SMTP.Cert.CAFile} }

// OpenCAFiles lets every user read the CA files and their directories (they
// are certificates, not secrets): for a daemon started as another user.
func (w *World) OpenCAFiles() {
	for _, f := range w.CAFiles() {
		os.Chmod(f, 0o644)
		os.Chmod(filepath.Dir(f), 0o755)
	}
}

// Config is a UCI configuration: the global section (state_dir, then the
// lines of extra), mail for every update, and the profile name updating
// name.example.com (lower case, as host names go out) with the address
// checkip gives.
func (w *World) Config(stateDir, name, extra string) string {
	return fmt.Sprintf("config global 'global'\n\toption state_dir '%s'\n%s"+
		"config mail 'mail'\n\toption notify 1\n\toption smtp_server 127.0.0.1\n\toption port %d\n\toption username '%s'\n"+
		"\toption password '%s'\n\toption recipient me@example.com\n\toption ca_file '%s'\n"+
		"config profile '%s'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password p\n"+
		"\toption hostname %s.example.com\n\toption external_ip_server '%s'\n\toption ca_file '%s'\n\toption dns_server '%s'\n\toption ip_source web\n",
		stateDir, extra, w.SMTP.Mail.Port, smtptest.User, smtptest.Password, w.SMTP.Cert.CAFile,
		name, w.prov.Listener.Addr(), strings.ToLower(name), w.check.Listener.Addr(), w.Cert.CAFile, w.dns.Addr)
}

// Updated waits for the update of name.example.com to Address, its state
// file in stateDir and the mail about it; it says what is missing.
func (w *World) Updated(t testing.TB, stateDir, name string, log fmt.Stringer) {
	t.Helper()
	select {
	case got := <-w.Requests:
		if want := strings.ToLower(name) + ".example.com=" + Address; got != want {
			t.Errorf("request %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second): // a bound on a hang
		t.Fatalf("no update request\n%s", log)
	}
	if !Eventually(func() bool {
		data, _ := os.ReadFile(filepath.Join(stateDir, name+".state"))
		return strings.Contains(string(data), "registered "+Address)
	}) {
		t.Errorf("no state written\n%s", log)
	}
	if !Eventually(func() bool {
		_, _, _, data := w.SMTP.Received()
		return strings.Contains(string(data), strings.ToLower(name)+".example.com now points to "+Address)
	}) {
		t.Errorf("no mail\n%s", log)
	}
}

// Eventually polls cond for up to 3 s: what follows a request comes just
// after it.
func Eventually(cond func() bool) bool {
	for i := 0; i < 300 && !cond(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}
