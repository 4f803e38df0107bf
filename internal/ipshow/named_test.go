package ipshow

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/internal/world"
)

// transcriptExit ends a transcript entry for a command that failed: the
// entry holds its stderr, then this line.
var transcriptExit = regexp.MustCompile(`(?m)^exit (\d+)\n\z`)

// netnsNames maps the netnsids the calling thread's namespace has given
// the world's namespaces to their names, as "ip netns" names resolve.
func netnsNames(w *world.World) NetnsName {
	names := make(map[int]string)
	for _, ns := range w.Namespaces() {
		if id, err := netlink.GetNetNsIdByFd(ns.Fd()); err == nil && id >= 0 {
			names[id] = ns.Name
		}
	}
	return func(id int) string { return names[id] }
}

// TestNamedPeerNamespace checks the "link-netns NAME" form against what
// iproute2 printed in a sandbox for the same state (testdata/netns-named.txtar
// says how it was made): a veth pair between named namespaces ns0 and ns1,
// with fixed MAC addresses so the transcript is reproducible.
func TestNamedPeerNamespace(t *testing.T) {
	needRoot(t)
	ar, err := txtar.ParseFile("testdata/netns-named.txtar")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	ns := map[string]*world.NS{}
	for _, name := range []string{"ns0", "ns1"} {
		if ns[name], err = w.Add(name); err != nil {
			t.Fatal(err)
		}
		in(t, ns[name], func() error { return run(noDAD()...) })
	}
	in(t, ns["ns0"], func() error {
		return run(
			step{"veth0", func() error {
				v := netlink.NewVeth(newLinkAttrs("veth0"))
				v.HardwareAddr = mustMAC("02:00:00:00:00:01")
				v.PeerName, v.PeerHardwareAddr = "veth1", mustMAC("02:00:00:00:00:02")
				v.PeerNamespace = netlink.NsFd(ns["ns1"].Fd())
				return netlink.LinkAdd(v)
			}},
			step{"addr veth0", addAddrPlain("veth0", "10.0.0.1/24")},
		)
	})
	in(t, ns["ns1"], func() error {
		return run(step{"addr veth1", addAddrPlain("veth1", "10.0.0.2/24")})
	})
	in(t, ns["ns0"], func() error { return run(step{"up veth0", up("veth0")}) })
	in(t, ns["ns1"], func() error { return run(step{"up veth1", up("veth1")}) })

	if len(ar.Files) == 0 {
		t.Fatal("empty transcript")
	}
	for _, f := range ar.Files {
		nsName, cmdline, ok := strings.Cut(f.Name, ": ip ")
		if !ok || ns[nsName] == nil {
			t.Fatalf("transcript entry %q: want \"NS: ip ARGS\"", f.Name)
		}
		want := result{stdout: string(f.Data)}
		if m := transcriptExit.FindStringSubmatchIndex(want.stdout); m != nil {
			want.code, _ = strconv.Atoi(want.stdout[m[2]:m[3]])
			want.stdout, want.stderr = "", want.stdout[:m[0]]
		}
		t.Run(f.Name, func(t *testing.T) {
			inv, err := parseIP(strings.Fields(cmdline))
			if err != nil {
				t.Fatal(err)
			}
			// Wait out the kernel's asynchronous work (operstate).
			var got result
			err = waitFor(settle, "the transcript's state", func() (bool, error) {
				var names NetnsName
				if err := ns[nsName].Do(func() error { names = netnsNames(w); return nil }); err != nil {
					return false, err
				}
				got, err = ours(ns[nsName], inv, names)
				return got == want, err
			})
			if err != nil {
				t.Errorf("%v\n=== netscript ===\n%s=== transcript ===\n%s", err, got, want)
			}
		})
	}
}
