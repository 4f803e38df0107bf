package ipshow

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// settle bounds how long a comparison waits for the kernel to finish what
// it does asynchronously (operstate via linkwatch, DAD).
const settle = 3 * time.Second

func needRoot(t *testing.T) {
	t.Helper()
	privilege.Require(t)
}

func needIP(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("iproute2's ip is not installed: nothing to compare with")
	}
	return path
}

func newWorld(t *testing.T) *world.World {
	t.Helper()
	w, err := world.New()
	if err != nil {
		t.Fatalf("world.New: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// in runs fn inside ns and fails the test on error.
func in(t *testing.T, ns *world.NS, fn func() error) {
	t.Helper()
	if err := ns.Do(fn); err != nil {
		t.Fatal(err)
	}
}

// invocation is an "ip" command line turned into the call it stands for.
type invocation struct {
	links bool
	opt   Options
}

// parseIP understands the few forms of "ip [-br] [-j] [-p] [-4|-6]
// link|addr [show] [FILTERS]" the tests use.
func parseIP(args []string) (invocation, error) {
	var inv invocation
	i := 0
	for ; i < len(args) && strings.HasPrefix(args[i], "-"); i++ {
		switch args[i] {
		case "-br":
			inv.opt.Brief = true
		case "-j":
			inv.opt.JSON = true
		case "-p":
			inv.opt.Pretty = true
		case "-4":
			inv.opt.Family = unix.AF_INET
		case "-6":
			inv.opt.Family = unix.AF_INET6
		default:
			return inv, fmt.Errorf("unknown option %q", args[i])
		}
	}
	if i == len(args) {
		return inv, errors.New("no object")
	}
	switch args[i] {
	case "link":
		inv.links = true
	case "addr":
	default:
		return inv, fmt.Errorf("unknown object %q", args[i])
	}
	i++
	if i < len(args) && args[i] == "show" {
		i++
	}
	for ; i < len(args); i++ {
		switch w := args[i]; w {
		case "up":
			inv.opt.Up = true
		case "dev", "master", "type":
			i++
			if i == len(args) {
				return inv, fmt.Errorf("%s needs a value", w)
			}
			switch w {
			case "dev":
				inv.opt.Dev = args[i]
			case "master":
				inv.opt.Master = args[i]
			default:
				inv.opt.Type = args[i]
			}
		default:
			inv.opt.Dev = w
		}
	}
	return inv, nil
}

// result is what a run printed: stdout, stderr and the exit status.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout ---\n%s--- stderr ---\n%s", r.code, r.stdout, r.stderr)
}

// ours runs Links or Addrs inside ns and renders the outcome as ip would.
func ours(ns *world.NS, inv invocation, names NetnsName) (result, error) {
	var out bytes.Buffer
	var err error
	doErr := ns.Do(func() error {
		if inv.links {
			err = Links(&out, ns, inv.opt, names)
		} else {
			err = Addrs(&out, ns, inv.opt, names)
		}
		return nil
	})
	if doErr != nil {
		return result{}, doErr
	}
	r := result{stdout: out.String()}
	if err != nil {
		var e *script.ExitError
		if !errors.As(err, &e) {
			return r, err
		}
		r.code, r.stderr = e.Code, e.Msg+"\n"
	}
	return r, nil
}

// realIP runs the real ip inside ns: the child is born in the namespace,
// with a /run/netns of its own (realtool.Start).
func realIP(ns *world.NS, ipPath string, args []string) (result, error) {
	var r result
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(ipPath, args...)
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := realtool.Start(ns, cmd); err != nil {
		return r, fmt.Errorf("run ip %s: %w", strings.Join(args, " "), err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		return r, fmt.Errorf("run ip %s: %w", strings.Join(args, " "), err)
	}
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r, nil
}

// compare runs the command both ways and reports a difference. A
// difference that changes from one attempt to the next is the kernel
// still settling (operstate, DAD, a lifetime ticking over), so it tries
// again, until the deadline; one that repeats exactly is a real one.
func compare(t *testing.T, ns *world.NS, ipPath, cmdline string, names NetnsName) {
	t.Helper()
	args := strings.Fields(cmdline)
	inv, err := parseIP(args)
	if err != nil {
		t.Fatalf("ip %s: %v", cmdline, err)
	}
	var lastGot, lastWant result
	deadline := time.Now().Add(settle)
	for attempt := 0; ; attempt++ {
		got, err := ours(ns, inv, names)
		if err != nil {
			t.Fatalf("ip %s: %v", cmdline, err)
		}
		want, err := realIP(ns, ipPath, args)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if (attempt > 0 && got == lastGot && want == lastWant) || time.Now().After(deadline) {
			t.Errorf("ip %s:\n=== netscript ===\n%s=== iproute2 ===\n%s", cmdline, got, want)
			return
		}
		lastGot, lastWant = got, want
		time.Sleep(20 * time.Millisecond)
	}
}

// sysctl writes a value under /proc/sys/net; it must run inside the namespace.
func sysctl(path, value string) error {
	if err := os.WriteFile("/proc/sys/net/"+path, []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl %s: %w", path, err)
	}
	return nil
}

func mustCIDR(s string) *net.IPNet {
	ip, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	n.IP = ip
	return n
}

func mustMAC(s string) net.HardwareAddr {
	mac, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return mac
}

// step is one change of state, for a table of them.
type step struct {
	what string
	fn   func() error
}

// run applies steps in order and stops at the first failure.
func run(steps ...step) error {
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}

func byName(name string) (netlink.Link, error) {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", name, err)
	}
	return l, nil
}

// onLink applies fn to the link called name.
func onLink(name string, fn func(netlink.Link) error) func() error {
	return func() error {
		l, err := byName(name)
		if err != nil {
			return err
		}
		return fn(l)
	}
}

func addAddr(dev string, a *netlink.Addr) func() error {
	return onLink(dev, func(l netlink.Link) error { return netlink.AddrAdd(l, a) })
}

// addAddrPlain adds an address as "ip addr add CIDR dev DEV" does, with no
// broadcast address: netlink.AddrAdd computes one for IPv4 when none is
// given, which ip does not.
func addAddrPlain(dev, cidr string) func() error {
	return onLink(dev, func(l netlink.Link) error {
		ipn := mustCIDR(cidr)
		family, ip := unix.AF_INET6, ipn.IP.To16()
		if v4 := ipn.IP.To4(); v4 != nil {
			family, ip = unix.AF_INET, v4
		}
		ones, _ := ipn.Mask.Size()
		req := nl.NewNetlinkRequest(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
		msg := nl.NewIfAddrmsg(family)
		msg.Prefixlen, msg.Index = uint8(ones), uint32(l.Attrs().Index)
		req.AddData(msg)
		req.AddData(nl.NewRtAttr(unix.IFA_LOCAL, ip))
		req.AddData(nl.NewRtAttr(unix.IFA_ADDRESS, ip))
		_, err := req.Execute(unix.NETLINK_ROUTE, 0)
		return err
	})
}
