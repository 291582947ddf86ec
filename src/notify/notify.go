package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/logx"
	"ddns-updater/src/transport"
)

// Kind is what happened to a profile.
type Kind int

// The kinds of event.
const (
	OK      Kind = iota // a check ended well (good, nochg, nothing to do)
	Updated             // the provider answered good: the address changed
	Stopped             // a fatal answer stopped the profile
	Failed              // a check failed (network, 911/dnserr, checkip)
)

// Event is what a check reports.
type Event struct {
	Kind      Kind
	Profile   string
	Hostnames []string
	Old, New  []netip.Addr
	Code      string // the provider's answer
	Meaning   string // in plain words, with what to change
	Detail    string // what failed
	At        time.Time
}

// Queue and retry limits.
const (
	QueueSize = 16
	Attempts  = 4
)

// Backoff between attempts to send one message.
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute}

// Notifier turns events into mail, only when something changes.
type Notifier struct {
	Log *logx.Logger
	// Send delivers a message; nil: SMTP with the configured server.
	Send func(ctx context.Context, m config.Mail, tlsConfig *tls.Config, msg Message) error

	mu      sync.Mutex
	mail    config.Mail
	on      bool
	failing map[string]*failure
	queue   chan Message
}

type failure struct {
	since  time.Time
	detail string
	mailed bool
}

// New returns a notifier; call Configure, and Run to deliver.
func New(log *logx.Logger) *Notifier {
	return &Notifier{Log: log, failing: map[string]*failure{}, queue: make(chan Message, QueueSize)}
}

// Configure takes the mail section; mail is on when notify is 1 and the section is valid.
func (n *Notifier) Configure(m config.Mail) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mail, n.on = m, m.Notify && len(m.Problems) == 0
}

// Event decides whether e is worth a mail and queues it; it never blocks.
func (n *Notifier) Event(e Event) {
	n.mu.Lock()
	if !n.on {
		n.mu.Unlock()
		return
	}
	m := n.mail
	f := n.failing[e.Profile]
	var subject, body string
	switch e.Kind {
	case Updated:
		subject = fmt.Sprintf("%s: %s now points to %s", e.Profile, strings.Join(e.Hostnames, ", "), addrs(e.New))
		body = fmt.Sprintf("Profile %s updated %s\nfrom %s\nto   %s\nat   %s.\n\nThe provider answered: %s\n",
			e.Profile, strings.Join(e.Hostnames, ", "), orNone(e.Old), addrs(e.New), e.At.Format(time.RFC1123Z), e.Code)
		body += recovered(f, e.At)
		delete(n.failing, e.Profile)
	case OK:
		if f != nil && f.mailed {
			subject = e.Profile + ": working again"
			body = fmt.Sprintf("Profile %s works again.%s", e.Profile, recovered(f, e.At))
		}
		delete(n.failing, e.Profile)
	case Stopped:
		subject = fmt.Sprintf("%s: stopped by the provider's answer %s", e.Profile, firstWord(e.Code))
		body = fmt.Sprintf("Profile %s (%s) stopped at %s.\n\nThe provider answered: %s\nThat means: %s.\n\n"+
			"No update is sent for this profile until its settings change: edit the profile, and\n"+
			"updates resume after saving.\n", e.Profile, strings.Join(e.Hostnames, ", "), e.At.Format(time.RFC1123Z), e.Code, e.Meaning)
		delete(n.failing, e.Profile)
	case Failed:
		if f == nil {
			f = &failure{since: e.At}
			n.failing[e.Profile] = f
		}
		f.detail = e.Detail
		if !f.mailed && e.At.Sub(f.since) >= m.AlertAfter {
			f.mailed = true
			subject = fmt.Sprintf("%s: failing for %s", e.Profile, e.At.Sub(f.since).Round(time.Minute))
			body = fmt.Sprintf("Profile %s (%s) has failed since %s.\n\nLatest: %s\n\n"+
				"It keeps retrying; one more mail comes when it works again.\n",
				e.Profile, strings.Join(e.Hostnames, ", "), f.since.Format(time.RFC1123Z), e.Detail)
		}
	}
	n.mu.Unlock()
	if subject == "" {
		return
	}
	msg := Message{From: m.Sender, To: m.Recipients, Subject: "ddns-updater: " + subject, Body: body, Date: e.At}
	select {
	case n.queue <- msg:
	default:
		n.Log.Warn("mail queue full; dropped: " + msg.Subject)
	}
}

// Run delivers queued mail until ctx ends, retrying each message a few times
// with backoff before dropping it with a log line.
func (n *Notifier) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-n.queue:
			n.deliver(ctx, msg, Attempts)
		}
	}
}

// Flush delivers what is queued now, one attempt each, until ctx ends (--once).
func (n *Notifier) Flush(ctx context.Context) {
	for {
		select {
		case msg := <-n.queue:
			n.deliver(ctx, msg, 1)
		default:
			return
		}
	}
}

func (n *Notifier) deliver(ctx context.Context, msg Message, attempts int) {
	for i := 0; i < attempts; i++ {
		err := n.SendNow(ctx, msg)
		if err == nil {
			n.Log.Info("mail sent: " + msg.Subject)
			return
		}
		if i == attempts-1 || ctx.Err() != nil {
			n.Log.Error("mail dropped after "+fmt.Sprint(i+1)+" attempt(s): "+msg.Subject, "err", err)
			return
		}
		wait := Backoff[min(i, len(Backoff)-1)]
		n.Log.Warn("mail not sent; retrying in "+wait.String(), "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			n.Log.Error("mail dropped at shutdown: " + msg.Subject)
			return
		case <-t.C:
		}
	}
}

// SendNow delivers one message at once with the configured server.
func (n *Notifier) SendNow(ctx context.Context, msg Message) error {
	n.mu.Lock()
	m := n.mail
	n.mu.Unlock()
	trust, err := transport.Roots(m.CAFile)
	if err != nil {
		return fmt.Errorf("option ca_file: %w", err)
	}
	send := n.Send
	if send == nil {
		send = Send
	}
	return send(ctx, m, trust.Config(m.SMTPServer), msg)
}

// TestMessage is what --test-mail sends.
func TestMessage(m config.Mail, now time.Time) Message {
	return Message{From: m.Sender, To: m.Recipients, Date: now, Subject: "ddns-updater: test mail",
		Body: "This is a test mail from ddns-updater. Mail for updates and errors will arrive like this one.\n"}
}

func recovered(f *failure, now time.Time) string {
	if f == nil || !f.mailed {
		return ""
	}
	return fmt.Sprintf("\nThe failures that began at %s are over (they lasted %s).\n", f.since.Format(time.RFC1123Z), now.Sub(f.since).Round(time.Minute))
}

func addrs(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

func orNone(a []netip.Addr) string {
	if len(a) == 0 {
		return "(nothing registered)"
	}
	return addrs(a)
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}
