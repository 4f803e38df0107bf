package runner

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/realtool"
)

// privateHostEnv names the test that this process runs inside a private
// host, in the child inPrivateHost starts.
const privateHostEnv = "NETSCRIPT_TEST_PRIVATE_HOST"

// privateHostTest is the test this process runs inside a private host,
// read from privateHostEnv by TestMain; "" outside one.
var privateHostTest string

// inPrivateHost runs the test t in a child process of this test binary
// born in a network and a mount namespace of its own: a private host,
// which the test owns entirely. The tests that compare the host before and
// after a run (its links, addresses, routes, sysctls, /run/netns and nsfs
// mounts) run there, so that nothing else on the machine, such as another
// process adding and deleting namespaces under the real /run/netns, can
// change what they snapshot; and what they prove holds as before, with
// the private host playing the machine: the runner under test only knows
// the namespaces it starts in, so whatever it would leak on a machine it
// leaks here, in plain sight.
//
// In the parent, inPrivateHost runs the child, logs its output, fails t if
// the child failed, and returns false: the caller returns. In the child it
// returns true, and the caller goes on with the test's body.
func inPrivateHost(t *testing.T) bool {
	t.Helper()
	if privateHostTest == t.Name() {
		return true
	}
	requireRoot(t)
	ctx := context.Background()
	args := []string{"-test.run=^" + regexp.QuoteMeta(t.Name()) + "$", "-test.count=1", "-test.v=true"}
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		defer cancel()
		args = append(args, fmt.Sprintf("-test.timeout=%v", time.Until(d)-10*time.Second))
	}
	child := exec.CommandContext(ctx, os.Args[0], args...)
	child.Env = append(os.Environ(), privateHostEnv+"="+t.Name())
	child.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNS | unix.CLONE_NEWNET,
		Pdeathsig:  syscall.SIGKILL,
	}
	out, err := child.CombinedOutput()
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 1<<20)
	var log strings.Builder
	for sc.Scan() {
		// The child's own verdict lines would read as this test's.
		if line := sc.Text(); line != "PASS" && line != "FAIL" && !strings.HasPrefix(line, "=== ") {
			fmt.Fprintln(&log, line)
		}
	}
	t.Logf("in a private host (network and mount namespaces of its own):\n%s", log.String())
	if err != nil {
		t.Fatalf("the test failed in its private host: %v", err)
	}
	return false
}

// setUpPrivateHost prepares the child of inPrivateHost, before its tests
// run: mounts private to it, none of the host's named namespaces (their
// copies are let go, so they hold nothing alive and leave no nsfs mount in
// view), an empty /run, and a network worth snapshotting: lo, a veth pair
// with IPv4 and IPv6 addresses, and a route.
func setUpPrivateHost() error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	lines := strings.Split(string(data), "\n")
	for i := len(lines) - 1; i >= 0; i-- { // deepest first
		f := strings.Fields(lines[i])
		if strings.Contains(lines[i], " - nsfs ") && len(f) > 4 {
			if err := unix.Unmount(f[4], unix.MNT_DETACH); err != nil {
				return fmt.Errorf("let go of the host's namespace at %s: %w", f[4], err)
			}
		}
	}
	if err := unix.Mount("netscript-private-host", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount a tmpfs on /run: %w", err)
	}
	if err := os.Mkdir("/run/netns", 0o755); err != nil {
		return err
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	var veth netlink.Link = &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "host0"}, PeerName: "host1"}
	for _, step := range []func() error{
		func() error { return netlink.LinkSetUp(lo) },
		func() error { return netlink.LinkAdd(veth) },
		func() (err error) { veth, err = netlink.LinkByName("host0"); return err },
		func() error { return netlink.LinkSetUp(veth) },
		func() error { return addrAdd(veth, "192.0.2.1/24", 0) },
		func() error { return addrAdd(veth, "2001:db8::1/64", unix.IFA_F_NODAD) },
		func() error {
			_, dst, _ := net.ParseCIDR("198.51.100.0/24")
			return netlink.RouteAdd(&netlink.Route{Dst: dst, Gw: net.ParseIP("192.0.2.2"), LinkIndex: veth.Attrs().Index})
		},
		func() error {
			// lo's ::1 and the nodad address get their local routes a
			// moment later: snapshot only a settled host.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return realtool.SettleProcess(ctx, os.Getpid())
		},
	} {
		if err := step(); err != nil {
			return fmt.Errorf("build the private host's network: %w", err)
		}
	}
	return nil
}

func addrAdd(link netlink.Link, cidr string, flags int) error {
	a, err := netlink.ParseAddr(cidr)
	if err != nil {
		return err
	}
	a.Flags = flags
	return netlink.AddrAdd(link, a)
}
