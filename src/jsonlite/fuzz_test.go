package jsonlite

import (
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzParse holds the decoder to encoding/json: the same verdict, the same value.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"up": true, "l3_device": "pppoe-wan", "ipv4-address": [{"address": "203.0.113.7", "mask": 32}]}`,
		`[1, -2.5e3, "\u00e9\ud83d\ude00", null, false]`, `"\ud800"`, `"\udc00\udc00"`, `{"a":`, `01`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		var want any
		werr := json.Unmarshal(data, &want)
		if (err == nil) != (werr == nil) {
			if werr != nil && len(data) > 0 && err == nil && !json.Valid(data) {
				t.Fatalf("%q: accepted, encoding/json says %v", data, werr)
			}
			if err != nil && werr == nil && nesting(data) <= MaxDepth {
				t.Fatalf("%q: rejected (%v), encoding/json accepts it", data, err)
			}
			return
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %#v, encoding/json %#v", data, got, want)
		}
	})
}

// nesting is the deepest bracket nesting outside strings, roughly.
func nesting(data []byte) int {
	depth, most, inString, esc := 0, 0, false, false
	for _, c := range data {
		switch {
		case esc:
			esc = false
		case inString && c == '\\':
			esc = true
		case c == '"':
			inString = !inString
		case !inString && (c == '[' || c == '{'):
			depth++
			most = max(most, depth)
		case !inString && (c == ']' || c == '}'):
			depth--
		}
	}
	return most
}
