package netifd

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParseStatus: whatever ubus prints, a status or an error, never a panic.
func FuzzParseStatus(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatus(data)
		if err != nil && !reflect.DeepEqual(s, Status{}) {
			t.Fatalf("an error with a status: %+v", s)
		}
	})
}
