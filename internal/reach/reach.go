// Package reach implements the scenario command "reach": an all-pairs
// connectivity check among namespaces, probed concurrently with ICMP echo
// requests and printed as a matrix that a golden file can compare, the way
// Mininet's pingAll reports.
package reach

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// Exit statuses, as ping's: 0 every probed pair answered, 1 some did not,
// 2 the check could not be made.
const (
	exitUnreachable = 1
	exitError       = 2
)

// DefaultTimeout is how long a pair has to answer when -t is not given.
const DefaultTimeout = 2 * time.Second

// Usage documents reach in the command table.
var Usage = script.Usage{
	Summary: "check which namespaces reach which, all pairs at once, as a matrix",
	Args:    "[-t TIMEOUT] [-4|-6] TARGET TARGET...",
	Detail: []string{
		"reach sends ICMP echo requests from every namespace named among the TARGETs to every " +
			"TARGET, all pairs concurrently, each from a raw socket opened inside its source " +
			"namespace, and prints the result as a matrix: one row per source namespace, one " +
			"column per target, in the order given. A cell is \"ok\" when the destination " +
			"answered, \"X\" when it did not, and \"--\" on the diagonal, which is not probed. " +
			"Columns are separated by two spaces, lines carry no trailing space, so the matrix " +
			"compares byte for byte with a golden file (cmp stdout FILE).",
		"A TARGET is NS, NS=ADDRESS or ADDRESS. NS alone stands for the namespace's global " +
			"IPv4 address (its global IPv6 address with -6): the single address of scope global " +
			"on any of its links, the same address on several links counting once. A namespace " +
			"with none, or with several, is an error that lists them: name the one to probe with " +
			"NS=ADDRESS. A bare ADDRESS (IPv4 or IPv6) is a destination only: it gets a column, " +
			"labelled with the address, and no row. Each namespace may be named once.",
		"Each pair has TIMEOUT (default 2s) to answer: a Go duration (500ms, 1.5s) or a number " +
			"of seconds. A request is resent after 10 ms, then at intervals growing to 100 ms, " +
			"so a lost first ARP or neighbour solicitation, or a route that appears within the " +
			"timeout, does not fail the pair. A pair whose source has no route to the " +
			"destination fails at once. Pairs that fail are listed on stderr with the reason, " +
			"row by row.",
		"The kernel's neighbour tables (ARP, NDP) are shared by every namespace on the machine, " +
			"up to net.ipv4.neigh.default.gc_thresh3 (and net.ipv6's) entries, 1024 by default: " +
			"about 35 namespaces probing all pairs on one bridge fill it. A pair that fails because " +
			"the kernel could not add a neighbour entry (its send failed with ENOBUFS and the next " +
			"hop has no entry) is marked \"X!\" instead of \"X\", and a line on stderr says so and " +
			"how to raise the limit on the host: such a failure is the machine's, not the scenario's.",
		"Exit status: 0 when every probed pair answered, 1 when some did not (the matrix is " +
			"printed all the same), 2 when the check could not be made (an unknown namespace, " +
			"no address to probe, a bad argument). A matrix with expected-unreachable cells is " +
			"checked with \"! reach ...\" followed by \"cmp stdout FILE\"; to wait for a network " +
			"to converge, use \"retry reach ...\".",
	},
}

// Cmd returns the "reach" entry of the command table.
func Cmd() *script.Cmd {
	return &script.Cmd{Name: "reach", Usage: Usage, Parse: parse}
}

// target is one TARGET argument.
type target struct {
	ns    string     // namespace name, "" for a bare address
	addr  netip.Addr // the address given, or invalid to look it up
	label string     // column (and row) heading
}

// opts is a parsed reach command line.
type opts struct {
	timeout time.Duration
	family  int // 4 or 6: which address NS alone stands for
	targets []target
}

func parse(args []string) (script.Action, error) {
	o := &opts{timeout: DefaultTimeout, family: 4}
options:
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		opt := args[0]
		args = args[1:]
		switch opt {
		case "--":
			break options
		case "-4":
			o.family = 4
		case "-6":
			o.family = 6
		case "-t":
			if len(args) == 0 {
				return nil, script.Errorf(exitError, "reach: option -t needs a TIMEOUT")
			}
			d, err := script.ParseTimeout("reach", args[0], exitError)
			if err != nil {
				return nil, err
			}
			o.timeout = d
			args = args[1:]
		default:
			return nil, script.Errorf(exitError, "reach: unknown option %q (usage: reach %s)", opt, Usage.Args)
		}
	}
	seen := make(map[string]bool)
	named := 0
	for _, arg := range args {
		t, err := parseTarget(arg)
		if err != nil {
			return nil, err
		}
		if t.ns != "" {
			if seen[t.ns] {
				return nil, script.Errorf(exitError, "reach: namespace %q named twice: each namespace is one row and one column", t.ns)
			}
			seen[t.ns] = true
			named++
		}
		o.targets = append(o.targets, t)
	}
	switch {
	case len(o.targets) < 2:
		return nil, script.Errorf(exitError, "reach: need at least two TARGETs (usage: reach %s)", Usage.Args)
	case named == 0:
		return nil, script.Errorf(exitError, "reach: no namespace among the TARGETs: nothing to probe from")
	}
	return script.ActionFunc(o.run), nil
}

// parseTarget reads NS, NS=ADDRESS or ADDRESS.
func parseTarget(arg string) (target, error) {
	if name, addr, ok := strings.Cut(arg, "="); ok {
		if !world.ValidName(name) {
			return target{}, script.Errorf(exitError, "reach: bad namespace name %q in %q", name, arg)
		}
		a, err := parseAddr(addr)
		if err != nil {
			return target{}, script.Errorf(exitError, "reach: bad address %q in %q: want an IPv4 or IPv6 address", addr, arg)
		}
		if !unicast(a) {
			return target{}, script.Errorf(exitError, "reach: %s in %q is not a unicast address", a, arg)
		}
		return target{ns: name, addr: a, label: name}, nil
	}
	if a, err := parseAddr(arg); err == nil {
		if !unicast(a) {
			return target{}, script.Errorf(exitError, "reach: %s is not a unicast address", a)
		}
		return target{addr: a, label: a.String()}, nil
	}
	if !world.ValidName(arg) {
		return target{}, script.Errorf(exitError, "reach: bad TARGET %q: want NS, NS=ADDRESS or ADDRESS", arg)
	}
	return target{ns: arg, label: arg}, nil
}

// parseAddr accepts an IP address without zone: a zone would name a link
// of one namespace only.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, err
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("address %q has a zone", s)
	}
	return a.Unmap(), nil
}

// unicast reports whether a can be probed: not unspecified, multicast or
// the IPv4 broadcast address.
func unicast(a netip.Addr) bool {
	return !a.IsUnspecified() && !a.IsMulticast() && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}
