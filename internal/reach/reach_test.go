package reach_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/reach"
	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// TestParseErrors checks that bad command lines are refused, with status 2
// and a message naming what is wrong, before anything touches the network.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		line string
		msg  string
	}{
		{"", "reach: need at least two TARGETs (usage: reach [-t TIMEOUT] [-4|-6] TARGET TARGET...)"},
		{"ns0", "reach: need at least two TARGETs (usage: reach [-t TIMEOUT] [-4|-6] TARGET TARGET...)"},
		{"10.0.0.1 10.0.0.2", "reach: no namespace among the TARGETs: nothing to probe from"},
		{"ns0 ns0", `reach: namespace "ns0" named twice: each namespace is one row and one column`},
		{"ns0 ns0=10.0.0.1", `reach: namespace "ns0" named twice: each namespace is one row and one column`},
		{"-t", "reach: option -t needs a TIMEOUT"},
		{"-t abc ns0 ns1", `reach: bad TIMEOUT "abc": want a duration such as 500ms or 2s`},
		{"-t 0 ns0 ns1", `reach: bad TIMEOUT "0": want more than 0 and at most 1h`},
		{"-t -1s ns0 ns1", `reach: bad TIMEOUT "-1s": want more than 0 and at most 1h`},
		{"-t 2h ns0 ns1", `reach: bad TIMEOUT "2h": want more than 0 and at most 1h`},
		{"-x ns0 ns1", `reach: unknown option "-x" (usage: reach [-t TIMEOUT] [-4|-6] TARGET TARGET...)`},
		{"ns0 ns1=10.0.0.300", `reach: bad address "10.0.0.300" in "ns1=10.0.0.300": want an IPv4 or IPv6 address`},
		{"ns0 ns1=", `reach: bad address "" in "ns1=": want an IPv4 or IPv6 address`},
		{"ns0 =10.0.0.1", `reach: bad namespace name "" in "=10.0.0.1"`},
		{"ns0 a/b=10.0.0.1", `reach: bad namespace name "a/b" in "a/b=10.0.0.1"`},
		{"ns0 ns1=fe80::1%eth0", `reach: bad address "fe80::1%eth0" in "ns1=fe80::1%eth0": want an IPv4 or IPv6 address`},
		{"ns0 ns1=224.0.0.1", `reach: 224.0.0.1 in "ns1=224.0.0.1" is not a unicast address`},
		{"ns0 0.0.0.0", "reach: 0.0.0.0 is not a unicast address"},
		{"ns0 255.255.255.255", "reach: 255.255.255.255 is not a unicast address"},
		{"ns0 a/b", `reach: bad TARGET "a/b": want NS, NS=ADDRESS or ADDRESS`},
		{"ns0 ..", `reach: bad TARGET "..": want NS, NS=ADDRESS or ADDRESS`},
	}
	cmd := reach.Cmd()
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := cmd.Parse(strings.Fields(tt.line))
			var e *script.ExitError
			if !errors.As(err, &e) {
				t.Fatalf("reach %s: got %v, want an exit error", tt.line, err)
			}
			if e.Code != 2 || e.Msg != tt.msg {
				t.Errorf("reach %s:\ngot  %d %q\nwant 2 %q", tt.line, e.Code, e.Msg, tt.msg)
			}
		})
	}
	for _, ok := range []string{"ns0 ns1", "-t 1.5 -6 ns0 ns1", "-t 500ms -- -ns ns1", "ns0 10.0.0.1 fd00::1 ns1=::ffff:10.0.0.2"} {
		if _, err := cmd.Parse(strings.Fields(ok)); err != nil {
			t.Errorf("reach %s: %v", ok, err)
		}
	}
}

// run runs one command line of the table in w, from its root namespace.
func run(t *testing.T, w *world.World, line string) (stdout, stderr string, code int) {
	t.Helper()
	r := realtool.RunLine(t, commands.Table(), w, w.Root(), line)
	return r.Stdout, r.Stderr, r.Code
}

// mustRun runs lines that must succeed.
func mustRun(t *testing.T, w *world.World, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if _, stderr, code := run(t, w, line); code != 0 {
			t.Fatalf("%s: exit %d: %s", line, code, stderr)
		}
	}
}

// TestReach probes a line of three namespaces, a - b - c, where b does not
// forward: the matrix, the failures on stderr, the exit statuses, and the
// address rules.
func TestReach(t *testing.T) {
	realtool.RequireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	mustRun(t, w,
		"ip netns add a", "ip netns add b", "ip netns add c", "ip netns add empty",
		"ip -n a link add ab type veth peer name ba netns b",
		"ip -n b link add bc type veth peer name cb netns c",
		"ip -n a addr add 10.0.1.1/24 dev ab",
		"ip -n a addr add fd00:1::1/64 dev ab nodad",
		"ip -n b addr add 10.0.1.2/24 dev ba",
		"ip -n b addr add fd00:1::2/64 dev ba nodad",
		"ip -n b addr add 10.0.2.2/24 dev bc",
		"ip -n c addr add 10.0.2.3/24 dev cb",
		"ip -n a link set lo up", "ip -n a link set ab up", "ip -n b link set ba up", "ip -n b link set bc up", "ip -n c link set cb up",
		"ip -n c route add default via 10.0.2.2",
	)
	tests := []struct {
		line, stdout, stderr string
		code                 int
	}{
		{"reach a b=10.0.1.2", "   a   b\na  --  ok\nb  ok  --\n", "", 0},
		{"reach -6 a b", "   a   b\na  --  ok\nb  ok  --\n", "", 0},
		{"reach a b=fd00:1::2 10.0.1.1", "   a   b   10.0.1.1\na  --  ok  ok\nb  ok  --  ok\n", "", 0},
		// a has no route to c's subnet: at once. c's packets reach b,
		// which does not forward them to a: after the timeout. But b
		// takes in what is sent to any of its addresses.
		{"reach -t 200ms a c b=10.0.1.2",
			"   a   c   b\na  --  X   ok\nc  X   --  ok\nb  ok  ok  --\n",
			"reach: a -> c (10.0.2.3): Network is unreachable\n" +
				"reach: c -> a (10.0.1.1): no reply within 200ms\n" +
				"reach: 2 of 6 pairs unreachable\n", 1},
		{"reach a b", "", "reach: b has 2 global IPv4 addresses (10.0.1.2, 10.0.2.2): name the one to probe with b=ADDRESS\n", 2},
		{"reach a empty", "", "reach: empty has no global IPv4 address: add one, or name the address to probe with empty=ADDRESS\n", 2},
		{"reach -6 a c", "", "reach: c has no global IPv6 address: add one, or name the address to probe with c=ADDRESS\n", 2},
		{"reach a nowhere", "", "reach: no namespace \"nowhere\"\n", 2},
		{"ip netns exec c reach c b=10.0.1.2", "   c   b\nc  --  ok\nb  ok  --\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			stdout, stderr, code := run(t, w, tt.line)
			if stdout != tt.stdout || stderr != tt.stderr || code != tt.code {
				t.Errorf("%s:\ngot  %d\n%s%s\nwant %d\n%s%s", tt.line, code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestReachManyPairs probes a bridge of eight fresh namespaces, 56 pairs at
// once, right after the links come up: the first ARP exchanges, and
// concurrent probes sharing one namespace's raw sockets, must not fail a
// pair.
func TestReachManyPairs(t *testing.T) {
	realtool.RequireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	lines := []string{"ip netns add br", "ip -n br link add br0 type bridge", "ip -n br link set br0 up"}
	var names []string
	for i := range 8 {
		n := string(rune('0' + i))
		names = append(names, "h"+n)
		lines = append(lines,
			"ip netns add h"+n,
			"ip -n br link add p"+n+" type veth peer name v netns h"+n,
			"ip -n br link set p"+n+" master br0",
			"ip -n br link set p"+n+" up",
			"ip -n h"+n+" addr add 10.0.0."+string(rune('1'+i))+"/24 dev v",
			"ip -n h"+n+" link set v up",
		)
	}
	mustRun(t, w, lines...)
	stdout, stderr, code := run(t, w, "reach "+strings.Join(names, " "))
	if code != 0 || strings.Contains(stdout, "X") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if got := strings.Count(stdout, "ok"); got != 56 {
		t.Errorf("%d ok cells, want 56:\n%s", got, stdout)
	}
}

// twoHosts makes a World with namespaces a (10.0.9.1, fd09::1) and b
// (10.0.9.2, fd09::2) joined by a veth pair.
func twoHosts(t *testing.T) *world.World {
	t.Helper()
	realtool.RequireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	mustRun(t, w, "ip netns add a", "ip netns add b",
		"ip -n a link add va type veth peer name vb netns b",
		"ip -n a addr add 10.0.9.1/24 dev va", "ip -n b addr add 10.0.9.2/24 dev vb",
		"ip -n a addr add fd09::1/64 dev va nodad", "ip -n b addr add fd09::2/64 dev vb nodad",
		"ip -n a link set va up", "ip -n b link set vb up")
	return w
}

// TestReachNeighbourTableFull makes every request from a to a second
// address of b (which b never uses, so a never learns it) fail as the
// kernel fails a send when the neighbour table, shared by every namespace,
// is full (ENOBUFS, and no neighbour entry for the next hop): that cell is
// marked X!, the others are probed as usual, and stderr says what happened
// and how to raise the limit. The error is injected: a real overflow would
// evict the machine's own neighbour entries.
func TestReachNeighbourTableFull(t *testing.T) {
	w := twoHosts(t)
	tests := []struct {
		line, dst, key string
	}{
		{"reach -t 300ms a 10.0.9.2 10.0.9.3", "10.0.9.3", "net.ipv4.neigh.default.gc_thresh3"},
		{"reach -t 300ms -6 a fd09::2 fd09::3", "fd09::3", "net.ipv6.neigh.default.gc_thresh3"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			mustRun(t, w, "ip -n b addr add "+tt.dst+"/"+map[bool]string{true: "64 nodad", false: "24"}[strings.Contains(tt.dst, ":")]+" dev vb")
			reach.InjectSendError(t, netip.MustParseAddr(tt.dst), unix.ENOBUFS)
			stdout, stderr, code := run(t, w, tt.line)
			lines := strings.Split(stdout, "\n")
			if len(lines) != 3 || strings.Join(strings.Fields(lines[1]), " ") != "a -- ok X!" || code != 1 {
				t.Errorf("exit %d, matrix:\n%s\nwant exit 1 and a row \"a -- ok X!\"", code, stdout)
			}
			for _, want := range []string{
				"reach: a -> " + tt.dst + " (" + tt.dst + "): the neighbour table was full (No buffer space available), and no reply came within 300ms\n",
				"reach: neighbour table overflow (" + tt.key,
				" is shared by every namespace): 1 pairs, marked X!, failed for want of room for a neighbour entry, " +
					"not because of the scenario's network; raise the limit on the host (sysctl -w " + tt.key +
					"=8192, with gc_thresh1 and gc_thresh2) or probe fewer pairs at once\n",
				"reach: 1 of 2 pairs unreachable\n",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestReachQdiscDropIsNotOverflow checks the other source of ENOBUFS: a
// queueing discipline that drops every packet (pfifo, limit 0), towards a
// neighbour that is known. reach sees the error (its sockets set
// IP_RECVERR) but must not blame the neighbour table.
func TestReachQdiscDropIsNotOverflow(t *testing.T) {
	w := twoHosts(t)
	a, err := w.Lookup("a")
	if err != nil {
		t.Fatal(err)
	}
	err = a.Do(func() error {
		va, err := netlink.LinkByName("va")
		if err != nil {
			return err
		}
		mac, _ := net.ParseMAC("02:00:00:00:09:02")
		if err := netlink.NeighAdd(&netlink.Neigh{LinkIndex: va.Attrs().Index, IP: net.ParseIP("10.0.9.2"),
			HardwareAddr: mac, State: netlink.NUD_PERMANENT, Family: netlink.FAMILY_V4}); err != nil {
			return fmt.Errorf("add a permanent neighbour: %w", err)
		}
		// tc qdisc add dev va root pfifo limit 0
		req := nl.NewNetlinkRequest(unix.RTM_NEWQDISC, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
		req.AddData(&nl.TcMsg{Family: nl.FAMILY_ALL, Ifindex: int32(va.Attrs().Index), Parent: netlink.HANDLE_ROOT})
		req.AddData(nl.NewRtAttr(nl.TCA_KIND, nl.ZeroTerminated("pfifo")))
		req.AddData(nl.NewRtAttr(nl.TCA_OPTIONS, nl.Uint32Attr(0)))
		_, err = req.Execute(unix.NETLINK_ROUTE, 0)
		return err
	})
	if err != nil {
		t.Skipf("cannot set up a dropping qdisc here: %v", err)
	}
	stdout, stderr, code := run(t, w, "reach -t 300ms a 10.0.9.2")
	if want := "   a   10.0.9.2\na  --  X\n"; stdout != want || code != 1 {
		t.Errorf("exit %d, matrix:\n%s\nwant exit 1 and:\n%s", code, stdout, want)
	}
	if want := "reach: a -> 10.0.9.2 (10.0.9.2): no reply within 300ms (last error: No buffer space available)\n"; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
	if strings.Contains(stderr, "overflow") {
		t.Errorf("a qdisc's drops blamed on the neighbour table:\n%s", stderr)
	}
}

// TestParseNeverPanics feeds reach every sequence of up to three awkward
// words: each is accepted or refused with an exit error, never a panic.
func TestParseNeverPanics(t *testing.T) {
	words := []string{"", "-", "--", "-t", "-4", "-6", "=", "ns0", "ns0=", "=1.2.3.4", "ns0=::", "1.2.3.4",
		"::1", "-t=1", "1e9", "NaN", "ns0=1.2.3.4=5", "\x00"}
	realtool.ParseEverySequence(t, reach.Cmd(), nil, words, 3)
}
