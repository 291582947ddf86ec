package openwrt

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"ddns-updater/src/netifd"
)

// TestUbusACL: the daemon's user may call exactly what the program asks netifd
// (netifd.Object*, netifd.Method) and nothing else; ubusd reads only files
// that are neither group- nor world-writable (the packages install it 0644,
// owned by root: TestPackages, TestFeed).
func TestUbusACL(t *testing.T) {
	data, err := os.ReadFile(repoFile("files/usr/share/acl.d/ddns-updater.json"))
	if err != nil {
		t.Fatal(err)
	}
	var acl map[string]any
	if err := json.Unmarshal(data, &acl); err != nil {
		t.Fatalf("the ACL is not JSON: %v", err)
	}
	want := map[string]any{
		"user": "ddns-updater",
		"access": map[string]any{
			netifd.Object + "*": map[string]any{"methods": []any{netifd.Method}},
			netifd.LeasesObject: map[string]any{"methods": []any{netifd.LeasesMethod}},
		},
	}
	if !reflect.DeepEqual(acl, want) {
		t.Errorf("ACL %v\nwant %v", acl, want)
	}
}

// TestCapabilities: where ujail runs the daemon, every capability set is
// empty, the bounding set too (procd's OCI capabilities file; ujail reads a
// missing set as empty as well, but the file says all five).
func TestCapabilities(t *testing.T) {
	data, err := os.ReadFile(repoFile("files/etc/capabilities/ddns-updater.json"))
	if err != nil {
		t.Fatal(err)
	}
	var caps map[string][]string
	if err := json.Unmarshal(data, &caps); err != nil {
		t.Fatalf("not a capabilities file: %v", err)
	}
	for _, set := range []string{"bounding", "effective", "inheritable", "permitted", "ambient"} {
		if v, ok := caps[set]; !ok || len(v) != 0 {
			t.Errorf("%s: %v (present %v); want an empty list", set, v, ok)
		}
	}
	if len(caps) != 5 {
		t.Errorf("sets %v", caps)
	}
}

// TestMakefileMatchesPackages: the SDK's package (openwrt/Makefile) makes the
// same user as build.sh's packages (Require-User, .rusers: TestPackages,
// TestFeed) and installs every file of files/, as build.sh's packages do.
func TestMakefileMatchesPackages(t *testing.T) {
	data, err := os.ReadFile(repoFile("openwrt/Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	mk := string(data)
	if !strings.Contains(mk, "\n  USERID:=ddns-updater:ddns-updater\n") {
		t.Error("openwrt/Makefile does not make the user ddns-updater:ddns-updater")
	}
	filepath.WalkDir(repoFile("files"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(repoFile("."), path)
			if !strings.Contains(mk, "$(PKG_BUILD_DIR)/"+filepath.ToSlash(rel)+" ") {
				t.Errorf("openwrt/Makefile does not install %s", rel)
			}
		}
		return nil
	})
}
