package jsonlite

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestAgainstEncodingJSON: for valid input the result equals the standard
// library's; invalid input is rejected by both.
func TestAgainstEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"up": true, "l3_device": "pppoe-wan", "n": -1.5e3, "a": [1, "x", null, false, {}], "e": []}`,
		`"esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00"`,
		` [ ] `, `0`, `-0.1`, `1E+2`, `{"a":{"b":{"c":[[[]]]}}}`, `"\ud800"`, `"\udc00\udc00"`, `"\udc00\ud800\udc00"`,
		``, `{`, `[1,]`, `{"a" 1}`, `01`, `1.`, `-`, `tru`, `"abc`, "\"a\x01\"", `{"a":1}x`, `[1 2]`, `"\x"`, `{1:2}`,
		`"\u12"`, `nul`, `.5`, `1e`, `{"a":1,}`,
	} {
		var want any
		werr := json.Unmarshal([]byte(in), &want)
		got, err := Parse([]byte(in))
		if (err == nil) != (werr == nil) {
			t.Errorf("%q: error %v, encoding/json says %v", in, err, werr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%q: %#v, want %#v", in, got, want)
		}
	}
}

func TestDepth(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2)
	if _, err := Parse([]byte(deep)); err == nil {
		t.Error("nesting beyond MaxDepth accepted")
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("nesting of MaxDepth rejected: %v", err)
	}
}
