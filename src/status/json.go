package status

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// JSONVersion is the version of the format WriteJSON writes; it changes only
// when a field changes meaning or goes away (new fields may appear).
const JSONVersion = 1

// WriteJSON writes the report as one JSON object, the format of
// `ddns-updater status --json` (see README: "status --json"):
//
//	{"version":1,"running":true,"profiles":[{"name":"DDNS","enabled":true,"hostnames":["home.example.com"],
//	  "ip_source":"auto","interface":"wan","device":"pppoe-wan","observed":["203.0.113.7"],
//	  "registered":["203.0.113.7"],"registered_at":"2026-11-26T12:00:00Z","learnt_from":"provider",
//	  "last_update":"...","last_answer":"good 203.0.113.7","checked_at":"...","last_check":"...",
//	  "next_check":"...","wait_until":null,"stop":null,"problems":[],"state_error":null}]}
//
// Times are RFC 3339 in UTC, or null; "stop" is null or
// {"code","meaning","fix","at","lifted"}.
func WriteJSON(w io.Writer, r Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, `{"version":%d,"running":%t,"profiles":[`, JSONVersion, r.Running)
	for i, p := range r.Profiles {
		if i > 0 {
			b.WriteByte(',')
		}
		stop := "null"
		if s := p.Stop; s != nil {
			stop = fmt.Sprintf(`{"code":%s,"meaning":%s,"fix":%s,"at":%s,"lifted":%t}`,
				jsonString(s.Code), jsonString(s.Meaning), jsonString(s.Fix), jsonTime(s.At), s.Lifted)
		}
		stateErr := "null"
		if p.StateError != "" {
			stateErr = jsonString(p.StateError)
		}
		fields := [...][2]string{
			{"name", jsonString(p.Name)},
			{"enabled", strconv.FormatBool(p.Enabled)},
			{"hostnames", jsonStrings(p.Hostnames)},
			{"ip_source", jsonString(p.IPSource)},
			{"interface", jsonString(p.Interface)},
			{"device", jsonString(p.Device)},
			{"observed", jsonAddrs(p.Observed)},
			{"registered", jsonAddrs(p.Registered)},
			{"registered_at", jsonTime(p.RegisteredAt)},
			{"learnt_from", jsonString(p.LearntFrom)},
			{"last_update", jsonTime(p.LastAttempt)},
			{"last_answer", jsonString(p.LastAnswer)},
			{"checked_at", jsonTime(p.CheckedAt)},
			{"last_check", jsonString(p.LastCheck)},
			{"next_check", jsonTime(p.NextCheck)},
			{"wait_until", jsonTime(p.WaitUntil)},
			{"stop", stop},
			{"problems", jsonStrings(p.Problems)},
			{"state_error", stateErr},
		}
		for i, f := range fields {
			b.WriteByte("{,"[min(i, 1)])
			b.WriteString(jsonString(f[0]) + ":" + f[1])
		}
		b.WriteByte('}')
	}
	b.WriteString("]}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.ToValidUTF8(s, string(utf8.RuneError)) {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func jsonStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsonString(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

func jsonAddrs(a []netip.Addr) string {
	q := make([]string, len(a))
	for i, x := range a {
		q[i] = jsonString(x.String())
	}
	return "[" + strings.Join(q, ",") + "]"
}

//go:noinline
func jsonTime(t time.Time) string {
	if t.IsZero() {
		return "null"
	}
	return jsonString(t.UTC().Format(time.RFC3339))
}
