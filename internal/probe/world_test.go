package probe

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
)

// pair is a World with namespaces a and b joined by a veth pair:
// va (10.0.0.1/24, fd00::1/64, fe80::1/64) in a, vb (10.0.0.2/24,
// fd00::2/64, fe80::2/64) in b, both up. The IPv6 addresses skip duplicate
// address detection, and no link-local address is made from the random
// MAC addresses, so outputs are the same from run to run.
type pair struct {
	w    *world.World
	a, b *world.NS
}

// newPair builds a pair, or skips the test when not root.
func newPair(t *testing.T) *pair {
	t.Helper()
	privilege.Require(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	a, err := w.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.Add("b")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Do(func() error {
		veth := &netlink.Veth{
			LinkAttrs:     netlink.LinkAttrs{Name: "va"},
			PeerName:      "vb",
			PeerNamespace: netlink.NsFd(b.Fd()),
		}
		return netlink.LinkAdd(veth)
	}); err != nil {
		t.Fatalf("add veth pair: %v", err)
	}
	for _, end := range []struct {
		ns   *world.NS
		dev  string
		addr string
	}{{a, "va", "10.0.0.1/24"}, {b, "vb", "10.0.0.2/24"}} {
		if err := end.ns.Do(func() error { return setUp(end.dev, end.addr) }); err != nil {
			t.Fatal(err)
		}
	}
	for _, end := range []struct {
		ns  *world.NS
		dev string
	}{{a, "va"}, {b, "vb"}} {
		if err := end.ns.Do(func() error { return waitOperUp(end.dev, 5*time.Second) }); err != nil {
			t.Fatal(err)
		}
		if err := end.ns.Do(func() error { return waitJoined(end.dev, 5*time.Second) }); err != nil {
			t.Fatal(err)
		}
	}
	return &pair{w: w, a: a, b: b}
}

// setUp gives dev an address, the IPv6 ones of the pair, and brings it
// up, in the calling thread's namespace.
func setUp(dev, cidr string) error {
	l, err := netlink.LinkByName(dev)
	if err != nil {
		return fmt.Errorf("find %s: %w", dev, err)
	}
	if err := setSysctl("net/ipv6/conf/"+dev+"/addr_gen_mode", "1"); err != nil {
		return err
	}
	host := cidr[len(cidr)-4 : len(cidr)-3] // "1" or "2"
	for _, c := range []string{cidr, "fd00::" + host + "/64", "fe80::" + host + "/64"} {
		addr, err := netlink.ParseAddr(c)
		if err != nil {
			return err
		}
		if addr.IP.To4() == nil {
			addr.Flags = unix.IFA_F_NODAD
		}
		if err := netlink.AddrAdd(l, addr); err != nil {
			return fmt.Errorf("add %s to %s: %w", c, dev, err)
		}
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return fmt.Errorf("set %s up: %w", dev, err)
	}
	return nil
}

// waitOperUp waits until dev's operational state is up (carrier on and the
// queueing discipline attached), when packets stop being dropped.
func waitOperUp(dev string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		l, err := netlink.LinkByName(dev)
		if err != nil {
			return err
		}
		if l.Attrs().OperState == netlink.OperUp {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not operationally up after %v (state %v)", dev, limit, l.Attrs().OperState)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitJoined waits until dev listens to the solicited-node multicast
// groups of its IPv6 addresses (ff02::1:ffXX:XXXX), which addrconf joins
// from a work queue after the carrier comes: a neighbour solicitation sent
// before is dropped, and the first IPv6 ping then takes a second.
func waitJoined(dev string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		data, err := os.ReadFile("/proc/thread-self/net/igmp6")
		if err != nil {
			return err
		}
		joined := 0
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[1] == dev && strings.HasPrefix(f[2], "ff0200000000000000000001ff") {
				joined++
			}
		}
		if joined >= 1 { // fd00::N and fe80::N share their group
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s has not joined its solicited-node groups after %v", dev, limit)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// loUp brings the loopback device up, in the calling thread's namespace.
func loUp() error {
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return err
	}
	return netlink.LinkSetUp(lo)
}

// setSysctl writes a sysctl of the calling thread's namespace.
func setSysctl(path, value string) error {
	return os.WriteFile("/proc/sys/"+path, []byte(value), 0o644)
}

// result is what one command printed and its exit status.
type result = realtool.Result

// runPing runs netscript's ping with args in ns, under a deadline.
func runPing(t *testing.T, p *pair, ns *world.NS, limit time.Duration, args ...string) result {
	return realtool.MustBuiltin(t, p.w, ns, limit, PingCmd(), args...)
}

// maskTiming replaces the timing figures of ping's output.
func maskTiming(s string) string { return realtool.MaskTiming(s) }

// failNeighboursFast brings p.a's lo up and makes neighbour discovery on va
// give up after 10 ms (family "ipv4" or "ipv6"), so the ICMP errors of an
// unanswered neighbour come quickly.
func failNeighboursFast(t *testing.T, p *pair, family string) {
	t.Helper()
	if err := p.a.Do(func() error {
		if err := loUp(); err != nil {
			return err
		}
		return setSysctl("net/"+family+"/neigh/va/retrans_time_ms", "10")
	}); err != nil {
		t.Fatal(err)
	}
}
