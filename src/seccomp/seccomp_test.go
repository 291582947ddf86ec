package seccomp

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParse(t *testing.T) {
	p, err := Parse([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"}, {"names": ["close"], "action": "SCMP_ACT_ALLOW"}]}`))
	if err != nil || p.Default != retErrno|eperm || strings.Join(p.Allow, " ") != "read write close" {
		t.Errorf("%+v, %v", p, err)
	}
	for _, bad := range []string{
		`[]`,
		`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}`, // allows all: no filter
		`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO"}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0}]}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": [1], "action": "SCMP_ACT_ALLOW"}]}`,
		`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": []}`,
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// run interprets a filter as the kernel does, for one call.
func run(t *testing.T, prog []syscall.SockFilter, arch, nr uint32) uint32 {
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case bpfLD | bpfW | bpfABS:
			switch in.K {
			case offNr:
				acc = nr
			case offArch:
				acc = arch
			default:
				t.Fatalf("load of offset %d", in.K)
			}
		case bpfJMP | bpfJEQ | bpfK:
			if acc == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfRET | bpfK:
			return in.K
		default:
			t.Fatalf("instruction %#x", in.Code)
		}
	}
	t.Fatal("ran off the end")
	return 0
}

// TestProgram: an allowed call passes, any other gets the default, a call of
// another ABI kills; names this architecture lacks are said, not guessed.
func TestProgram(t *testing.T) {
	nums := map[string]uint32{"read": 0, "write": 1, "close": 3, "openat": 257}
	p := &Policy{Default: retErrno | eperm, Allow: []string{"write", "read", "openat", "stat64", "read"}}
	prog, unknown, err := program(p, 0xc000003e, nums)
	if err != nil || strings.Join(unknown, " ") != "stat64" {
		t.Fatalf("%v, unknown %v", err, unknown)
	}
	for nr, want := range map[uint32]uint32{0: retAllow, 1: retAllow, 257: retAllow, 3: retErrno | eperm, 59: retErrno | eperm} {
		if got := run(t, prog, 0xc000003e, nr); got != want {
			t.Errorf("call %d: %#x, want %#x", nr, got, want)
		}
	}
	if got := run(t, prog, 0x40000003, 0); got != retKillProcess {
		t.Errorf("a call from the i386 ABI: %#x, want kill", got)
	}
	many := &Policy{Default: retKillProcess}
	bigNums := map[string]uint32{}
	for i := range 300 {
		n := "call" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		bigNums[n] = uint32(i)
		many.Allow = append(many.Allow, n)
	}
	if _, _, err := program(many, 1, bigNums); err == nil {
		t.Error("300 calls: a jump cannot reach the end; want an error")
	}
	many.Allow = many.Allow[:250]
	prog, _, err = program(many, 1, bigNums)
	if err != nil || run(t, prog, 1, 0) != retAllow || run(t, prog, 1, 249) != retAllow || run(t, prog, 1, 250) != retKillProcess {
		t.Errorf("250 calls: %v", err)
	}
}

// TestTables: the generated tables are what gen.go makes now from the policy
// and golang.org/x/sys (run go generate after editing the list), and this
// architecture's constants are x/sys's.
func TestTables(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("go", "run", "gen.go", "-o", dir).CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	made, _ := filepath.Glob(filepath.Join(dir, "zsysnum_linux_*.go"))
	if len(made) != 10 {
		t.Errorf("gen made %d tables", len(made))
	}
	for _, f := range made {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Base(f))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is stale: go generate ./src/seccomp", filepath.Base(f))
		}
	}
	if sysSeccomp != unix.SYS_SECCOMP || numbers["read"] != unix.SYS_READ || numbers["openat"] != unix.SYS_OPENAT {
		t.Errorf("seccomp %d, read %d, openat %d: not x/sys's", sysSeccomp, numbers["read"], numbers["openat"])
	}
	if want := map[string]uint32{"amd64": unix.AUDIT_ARCH_X86_64, "arm64": unix.AUDIT_ARCH_AARCH64, "386": unix.AUDIT_ARCH_I386,
		"arm": unix.AUDIT_ARCH_ARM, "mips": unix.AUDIT_ARCH_MIPS, "mipsle": unix.AUDIT_ARCH_MIPSEL, "mips64": unix.AUDIT_ARCH_MIPS64,
		"mips64le": unix.AUDIT_ARCH_MIPSEL64, "riscv64": unix.AUDIT_ARCH_RISCV64, "loong64": unix.AUDIT_ARCH_LOONGARCH64}; want[runtimeArch()] != auditArch {
		t.Errorf("AUDIT_ARCH %#x, want %#x", auditArch, want[runtimeArch()])
	}
	p, err := Parse(mustRead(t, "../../files/etc/seccomp/ddns-updater.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := program(p, auditArch, numbers); err != nil {
		t.Error(err)
	}
}

func mustRead(t *testing.T, f string) []byte {
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runtimeArch() string { return runtime.GOARCH }
