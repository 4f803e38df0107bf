package privilege

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseCapEff(t *testing.T) {
	status := func(eff string) string {
		return "Name:\tcat\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n" +
			"CapEff:" + eff + "\nCapBnd:\t000001ffffffffff\n"
	}
	for _, tt := range []struct {
		name, text string
		want       uint64
		lacks      []string // of Needed
		err        string
	}{
		{name: "root", text: status("\t000001ffffffffff"), want: 0x1ffffffffff},
		{name: "docker default", text: status("\t00000000a80425fb"), want: 0xa80425fb, lacks: []string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}},
		{name: "net admin only", text: status("\t0000000000001000"), want: 1 << 12, lacks: []string{"CAP_SYS_ADMIN"}},
		{name: "sys admin only", text: status("\t0000000000200000"), want: 1 << 21, lacks: []string{"CAP_NET_ADMIN"}},
		{name: "both", text: status("\t0000000000201000"), want: 1<<21 | 1<<12},
		{name: "none", text: status("\t0000000000000000"), lacks: []string{"CAP_SYS_ADMIN", "CAP_NET_ADMIN"}},
		{name: "this host without sys_resource", text: status("\t000001fffeffffff"), want: 0x1fffeffffff},
		{name: "no line", text: "Name:\tcat\nCapPrm:\t0000000000000000\n", err: "no CapEff line"},
		{name: "empty mask", text: status("\t"), err: "bad CapEff line"},
		{name: "not hex", text: status("\tzz"), err: "bad CapEff line"},
		{name: "too long", text: status("\t10000000000000000"), err: "bad CapEff line"},
		{name: "empty", text: "", err: "no CapEff line"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCapEff([]byte(tt.text))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseCapEff = %#x, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseCapEff = %#x, %v; want %#x", got, err, tt.want)
			}
			if lacks := lacking(got, Needed); strings.Join(lacks, ",") != strings.Join(tt.lacks, ",") {
				t.Errorf("lacking = %v, want %v", lacks, tt.lacks)
			}
		})
	}
}

// TestMissing checks the reasons given: the capabilities come first, and
// the trial runs only when they are there, its error becoming the reason.
func TestMissing(t *testing.T) {
	all := uint64(1<<SysAdmin | 1<<NetAdmin)
	for _, tt := range []struct {
		name     string
		set      uint64
		readErr  error
		trialErr error
		want     string // in the reason; "" for none
		trial    bool   // whether the trial must have run
	}{
		{name: "privileged", set: all, trial: true},
		{name: "no sys_admin", set: 1 << NetAdmin, want: "(lacks CAP_SYS_ADMIN)"},
		{name: "no net_admin", set: 1 << SysAdmin, want: "(lacks CAP_NET_ADMIN)"},
		{name: "neither", want: "(lacks CAP_SYS_ADMIN and CAP_NET_ADMIN)"},
		{name: "seccomp", set: all, trialErr: unix.EPERM, want: "(operation not permitted)", trial: true},
		{name: "unreadable", readErr: errors.New("read capabilities: no /proc"), want: "(read capabilities: no /proc)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ran := false
			got := missing(tt.set, tt.readErr, func() error { ran = true; return tt.trialErr })
			if ran != tt.trial {
				t.Errorf("trial ran: %v, want %v", ran, tt.trial)
			}
			switch {
			case tt.want == "" && got != "":
				t.Errorf("missing = %q, want none", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("missing = %q, want it to hold %q", got, tt.want)
			case tt.want != "" && !strings.HasPrefix(got, "netscript needs to create network namespaces"):
				t.Errorf("missing = %q: does not say what is needed", got)
			}
		})
	}
}

func TestCapString(t *testing.T) {
	for c, want := range map[Cap]string{SysAdmin: "CAP_SYS_ADMIN", SetUID: "CAP_SETUID", 40: "CAP_40"} {
		if got := c.String(); got != want {
			t.Errorf("Cap(%d).String() = %q, want %q", int(c), got, want)
		}
	}
}

// childEnv marks the test binary re-run by TestRootWithoutSysAdminSkips.
const childEnv = "NETSCRIPT_PRIVILEGE_CHILD"

// TestNeedsNamespaces is what every privileged test does: Require, then
// create a namespace. Where Require lets it through, the namespace must
// come; in the child of TestRootWithoutSysAdminSkips it must skip.
func TestNeedsNamespaces(t *testing.T) {
	Require(t)
	if os.Getenv(childEnv) != "" {
		t.Fatal("Require let a process without CAP_SYS_ADMIN through")
	}
	if err := tryNetns(); err != nil {
		t.Fatalf("Require let the test through, but: %v", err)
	}
}

// TestRootWithoutSysAdminSkips runs TestNeedsNamespaces as uid 0 without
// CAP_SYS_ADMIN, as in a container that withholds it: it must skip, with
// the reason, and not fail.
func TestRootWithoutSysAdminSkips(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("in the child")
	}
	out := RerunWithout(t, "TestNeedsNamespaces", childEnv+"=1", SysAdmin)
	for _, want := range []string{"--- SKIP: TestNeedsNamespaces", "netscript needs to create network namespaces (lacks CAP_SYS_ADMIN)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestRequireExtra checks that an extra capability the process lacks
// skips, naming it: run in a child that lacks CAP_SETUID.
func TestRequireExtra(t *testing.T) {
	if os.Getenv(childEnv) == "setuid" {
		Require(t, SetUID)
		t.Fatal("Require(SetUID) let a process without CAP_SETUID through")
	}
	if os.Getenv(childEnv) != "" {
		t.Skip("in the child")
	}
	out := RerunWithout(t, "TestRequireExtra", childEnv+"=setuid", SetUID)
	if want := "the test lacks CAP_SETUID"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}
