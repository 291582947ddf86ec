package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"mime"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/logx"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// outbox replaces SMTP: it records messages, or fails as told.
type outbox struct {
	mu    sync.Mutex
	sent  []Message
	fails int  // the next n attempts fail
	hang  bool // attempts wait for the end of their context
	tries int
}

func (o *outbox) send(ctx context.Context, m config.Mail, _ *tls.Config, msg Message) error {
	o.mu.Lock()
	o.tries++
	hang := o.hang
	if o.fails > 0 {
		o.fails--
		o.mu.Unlock()
		return errors.New("451 try again later")
	}
	o.mu.Unlock()
	if hang {
		<-ctx.Done()
		return ctx.Err()
	}
	o.mu.Lock()
	o.sent = append(o.sent, msg)
	o.mu.Unlock()
	return nil
}

func (o *outbox) messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.sent...)
}

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newNotifier(o *outbox, log *syncLog) *Notifier {
	n := New(logx.New(log, logx.Debug))
	n.Send = o.send
	n.Configure(config.Mail{Notify: true, SMTPServer: "smtp.example.com", Port: 587, TLS: true, Username: "router@example.com",
		Password: password, Sender: "router@example.com", Recipients: []string{"me@example.com"}, AlertAfter: time.Hour})
	return n
}

var hosts = []string{"home.example.com"}

func TestWhatIsMailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o, log := &outbox{}, &syncLog{}
		n := newNotifier(o, log)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go n.Run(ctx)
		a, b := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.8")

		n.Event(Event{Kind: Updated, Profile: "home", Hostnames: hosts, Old: []netip.Addr{a}, New: []netip.Addr{b}, Code: "good 203.0.113.8", At: t0})
		for i := 0; i < 10; i++ {
			n.Event(Event{Kind: OK, Profile: "home", Hostnames: hosts, At: t0.Add(time.Duration(i) * time.Minute)})
		}
		synctest.Wait()
		msgs := o.messages()
		if len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "home.example.com now points to 203.0.113.8") ||
			!strings.Contains(msgs[0].Body, "from 203.0.113.7\nto   203.0.113.8") {
			t.Fatalf("an update is one mail, unchanged checks none: %+v", msgs)
		}

		// a burst of 50 failures over two hours: one mail once they have lasted an hour
		for i := 0; i < 50; i++ {
			n.Event(Event{Kind: Failed, Profile: "home", Hostnames: hosts, Detail: "checkip failed: timeout", At: t0.Add(time.Duration(i) * 150 * time.Second)})
		}
		synctest.Wait()
		msgs = o.messages()
		if len(msgs) != 2 || !strings.Contains(msgs[1].Subject, "home: failing for 1h0m0s") || !strings.Contains(msgs[1].Body, "checkip failed: timeout") {
			t.Fatalf("50 failures must make one mail: %d mails, last %+v", len(msgs), msgs[len(msgs)-1])
		}
		n.Event(Event{Kind: OK, Profile: "home", Hostnames: hosts, At: t0.Add(3 * time.Hour)})
		n.Event(Event{Kind: OK, Profile: "home", Hostnames: hosts, At: t0.Add(4 * time.Hour)})
		synctest.Wait()
		msgs = o.messages()
		if len(msgs) != 3 || !strings.Contains(msgs[2].Subject, "home: working again") || !strings.Contains(msgs[2].Body, "lasted 3h0m0s") {
			t.Fatalf("recovery must make one mail: %+v", msgs)
		}

		// failures shorter than alert_after make no mail at all
		n.Event(Event{Kind: Failed, Profile: "home", At: t0.Add(5 * time.Hour)})
		n.Event(Event{Kind: Failed, Profile: "home", At: t0.Add(5*time.Hour + 59*time.Minute)})
		n.Event(Event{Kind: OK, Profile: "home", At: t0.Add(6 * time.Hour)})
		n.Event(Event{Kind: Stopped, Profile: "home", Hostnames: hosts, Code: "badauth", Meaning: "username or password wrong: fix username and password", At: t0.Add(7 * time.Hour)})
		synctest.Wait()
		msgs = o.messages()
		if len(msgs) != 4 || !strings.Contains(msgs[3].Subject, "stopped by the provider's answer badauth") ||
			!strings.Contains(msgs[3].Body, "That means: username or password wrong: fix username and password.") ||
			!strings.Contains(msgs[3].Body, "updates resume after saving") {
			t.Fatalf("a stop is one mail saying what to fix: %+v", msgs)
		}
		if strings.Contains(log.String(), password) {
			t.Error("the password appears in the log")
		}
	})
}

func TestRetriesThenDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o, log := &outbox{fails: 2}, &syncLog{}
		n := newNotifier(o, log)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go n.Run(ctx)
		n.Event(Event{Kind: Stopped, Profile: "home", Code: "abuse", At: t0})
		synctest.Wait()
		time.Sleep(6 * time.Minute) // 1 min, then 5 min of backoff
		synctest.Wait()
		if len(o.messages()) != 1 || o.tries != 3 {
			t.Fatalf("sent %d after %d tries", len(o.messages()), o.tries)
		}
		o.mu.Lock()
		o.fails = 10
		o.mu.Unlock()
		n.Event(Event{Kind: Stopped, Profile: "other", Code: "abuse", At: t0})
		time.Sleep(time.Hour)
		synctest.Wait()
		if o.tries != 3+Attempts || !strings.Contains(log.String(), "mail dropped after 4 attempt(s): ddns-updater: other: stopped") {
			t.Errorf("%d tries; log:\n%s", o.tries, log)
		}
		if strings.Contains(log.String(), password) {
			t.Error("the password appears in the log")
		}
	})
}

// TestNeverBlocks: with the SMTP server hanging, events keep returning at once;
// what does not fit the queue is dropped with a log line.
func TestNeverBlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o, log := &outbox{hang: true}, &syncLog{}
		n := newNotifier(o, log)
		ctx, cancel := context.WithCancel(context.Background())
		go n.Run(ctx)
		start := time.Now()
		for i := 0; i < 100; i++ {
			n.Event(Event{Kind: Stopped, Profile: "p", Code: "abuse", At: t0})
		}
		if time.Since(start) != 0 {
			t.Error("Event waited")
		}
		synctest.Wait()
		if !strings.Contains(log.String(), "mail queue full; dropped") {
			t.Error("an overflow must be logged")
		}
		cancel()
		synctest.Wait()
	})
}

func TestOffOrQuiet(t *testing.T) {
	o := &outbox{}
	n := newNotifier(o, &syncLog{})
	n.Configure(config.Mail{Notify: false})
	n.Event(Event{Kind: Stopped, Profile: "p", At: t0})
	n.Flush(context.Background())
	if len(o.messages()) != 0 {
		t.Error("notify 0 sends nothing")
	}
}

func TestHeaderInjection(t *testing.T) {
	msg := Message{From: "router@example.com\r\nBcc: evil@example.com", To: []string{"me@example.com\r\nX-Evil: 1"},
		Subject: "home\r\nBcc: evil@example.com", Body: "x", Date: t0}
	data := string(msg.Bytes())
	head, _, _ := strings.Cut(data, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(line, "Bcc:") || strings.HasPrefix(line, "X-Evil:") {
			t.Errorf("injected header line %q in\n%s", line, head)
		}
	}
}

// TestEncodeWords: header text that is not plain ASCII becomes encoded words of
// at most 75 characters that decode to the text again, without a character cut
// in two; plain text stays as it is.
func TestEncodeWords(t *testing.T) {
	for _, s := range []string{"plain subject: home.example.com", "Grüße aus Köln", strings.Repeat("ä€😀x", 40), "tab\tis fine"} {
		got := encodeWords(s)
		if !strings.ContainsAny(s, "äöüß€😀") {
			if got != s {
				t.Errorf("plain %q became %q", s, got)
			}
			continue
		}
		for _, w := range strings.Fields(got) {
			if len(w) > 75 || !strings.HasPrefix(w, "=?utf-8?b?") {
				t.Errorf("word %q", w)
			}
		}
		back, err := new(mime.WordDecoder).DecodeHeader(got)
		if err != nil || back != s {
			t.Errorf("%q decodes to %q, %v", s, back, err)
		}
	}
}
