package netifd

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseFixtures(t *testing.T) {
	pfx := netip.MustParsePrefix
	for file, want := range map[string]Status{
		"wan-dhcp-public.json":  {Up: true, L3Device: "eth1", Device: "eth1"},
		"wan-pppoe-cgnat.json":  {Up: true, L3Device: "pppoe-wan", Device: "eth0.2"},
		"wan-pppoe-public.json": {Up: true, L3Device: "pppoe-wan", Device: "eth0.2"},
		"wan6-dhcpv6-pd.json": {Up: true, L3Device: "pppoe-wan", Device: "pppoe-wan",
			Delegated: []Delegated{{pfx("2001:db8:4400::/56"), 171757, 258157}}},
		"wan6-pd-renumbered.json": {Up: true, L3Device: "pppoe-wan", Device: "pppoe-wan",
			Delegated: []Delegated{{pfx("2001:db8:5500::/56"), 172800, 259200}, {pfx("2001:db8:4400::/56"), 0, 7140}}},
		"wwan-down.json":  {Up: false},
		"lan-static.json": {Up: true, L3Device: "br-lan", Device: "br-lan", Assigned: []netip.Prefix{pfx("2001:db8:4400::/64")}},
		"lan-renumbered.json": {Up: true, L3Device: "br-lan", Device: "br-lan",
			Assigned: []netip.Prefix{pfx("2001:db8:5500::/64"), pfx("2001:db8:4400::/64"), pfx("fd12:3456:789a::/64")}},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseStatus(data)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v, %v; want %+v", file, got, err, want)
		}
	}
	if (Status{Device: "eth1"}).Dev() != "eth1" || (Status{L3Device: "pppoe-wan", Device: "eth0.2"}).Dev() != "pppoe-wan" {
		t.Error("Dev must prefer l3_device")
	}
	if _, err := ParseStatus([]byte("Command failed: Not found")); err == nil {
		t.Error("text is not a status")
	}
}

// fakeUbus writes a script that prints a fixture as ubus would.
func fakeUbus(t *testing.T) []string {
	dir := t.TempDir()
	script := filepath.Join(dir, "ubus")
	abs, _ := filepath.Abs("testdata")
	body := `#!/bin/sh
# ubus call network.interface.NAME status, ubus call dhcp ipv6leases
case "$2" in
network.interface.wan) cat "` + abs + `/wan-pppoe-cgnat.json" ;;
network.interface.wwan) cat "` + abs + `/wwan-down.json" ;;
dhcp) [ "$3" = ipv6leases ] && echo leases ;;
*) cat "` + abs + `/not-found.txt" >&2; exit 4 ;;
esac
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{script}
}

func TestUbus(t *testing.T) {
	u := &Ubus{Command: fakeUbus(t)}
	ctx := context.Background()
	if s, err := u.Status(ctx, "wan"); err != nil || s.Dev() != "pppoe-wan" || !s.Up {
		t.Errorf("wan: %+v, %v", s, err)
	}
	if s, err := u.Status(ctx, "wwan"); err != nil || s.Up || s.Dev() != "" {
		t.Errorf("wwan: %+v, %v", s, err)
	}
	if _, err := u.Status(ctx, "nosuch"); !errors.Is(err, ErrNotFound) {
		t.Errorf("nosuch: %v", err)
	}
	// odhcpd's leases, through the same ubus
	if out, err := u.Leases(ctx); err != nil || string(out) != "leases\n" {
		t.Errorf("leases: %q, %v", out, err)
	}
	for _, missing := range []string{"/nonexistent/ubus", "ddns-updater-test-no-such-ubus"} {
		_, err := (&Ubus{Command: []string{missing}}).Status(ctx, "wan")
		if err == nil || errors.Is(err, ErrNotFound) || err.Error() != "no "+missing+" here to ask netifd (not an OpenWrt router?)" {
			t.Errorf("missing ubus: %v", err)
		}
	}
}

// TestOutputIsBounded: ubus printing without end keeps at most MaxOutput bytes
// in memory, and the command is not made to block.
func TestOutputIsBounded(t *testing.T) {
	var c capped
	chunk := make([]byte, 64<<10)
	for i := 0; i < 160; i++ { // 10 MiB
		if n, err := c.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if c.Len() != MaxOutput {
		t.Errorf("kept %d bytes, want %d", c.Len(), MaxOutput)
	}
	script := filepath.Join(t.TempDir(), "ubus")
	os.WriteFile(script, []byte("#!/bin/sh\nhead -c 10000000 /dev/zero | tr '\\0' ' '\n"), 0o755)
	if _, err := (&Ubus{Command: []string{script}}).Status(context.Background(), "wan"); err == nil {
		t.Error("10 MB of blanks is no status")
	}
}
