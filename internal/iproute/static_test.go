package iproute

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

func TestDescribe(t *testing.T) {
	up, down, br, none := true, false, "br0", ""
	tests := []struct {
		line string
		want Effect
	}{
		{"netns add ns0", Effect{Op: OpNetnsAdd, Namespace: "ns0"}},
		{"netns del ns0", Effect{Op: OpNetnsDel, Namespace: "ns0"}},
		{"netns", Effect{}},
		{"netns list", Effect{}},
		{"netns exec ns0 ip link set veth0 up", Effect{Op: OpNetnsExec, Namespace: "ns0",
			Argv: []string{"ip", "link", "set", "veth0", "up"}}},
		{"netns exec ns0 some-program -x", Effect{Op: OpNetnsExec, Namespace: "ns0", Argv: []string{"some-program", "-x"}}},
		{"-n ns0 tuntap add dev tap0 mode tap", Effect{Op: OpLinkAdd, Netns: "ns0", Dev: "tap0", Kind: "tap"}},
		{"tuntap add mode tun", Effect{Op: OpLinkAdd, Kind: "tun"}},
		{"tuntap del dev tap0 mode tap", Effect{Op: OpLinkDel, Dev: "tap0", Optional: true}},
		{"link add veth0 type veth peer name veth2", Effect{Op: OpLinkAdd, Dev: "veth0", Kind: "veth", Peer: "veth2"}},
		{"link add v01 netns ns0 up type veth peer v10 netns ns1", Effect{Op: OpLinkAdd, Dev: "v01", Kind: "veth",
			To: "ns0", Up: &up, Peer: "v10", PeerNetns: "ns1"}},
		{"link add type veth", Effect{Op: OpLinkAdd, Kind: "veth"}},
		{"l a br0 type bridge", Effect{Op: OpLinkAdd, Dev: "br0", Kind: "bridge"}},
		{"link set veth0 netns ns0", Effect{Op: OpLinkSet, Dev: "veth0", To: "ns0"}},
		{"link set dev veth0 down name eth0", Effect{Op: OpLinkSet, Dev: "veth0", Up: &down, NewName: "eth0"}},
		{"link set veth0 master br0", Effect{Op: OpLinkSet, Dev: "veth0", Master: &br}},
		{"link set veth0 nomaster", Effect{Op: OpLinkSet, Dev: "veth0", Master: &none}},
		{"l s veth0 up", Effect{Op: OpLinkSet, Dev: "veth0", Up: &up}}, // "s" is set, not show
		{"link del dev veth0", Effect{Op: OpLinkDel, Dev: "veth0"}},
		{"link show veth0", Effect{Dev: "veth0"}},
		{"link", Effect{}},
		{"-n ns1 addr add 10.0.0.2/24 dev tap1", Effect{Op: OpAddrAdd, Netns: "ns1", Dev: "tap1",
			Prefix: netip.MustParsePrefix("10.0.0.2/24")}},
		{"a replace 10.0.0.2/24 dev tap1", Effect{Op: OpAddrReplace, Dev: "tap1", Prefix: netip.MustParsePrefix("10.0.0.2/24")}},
		{"addr del 10.0.0.2 dev tap1", Effect{Op: OpAddrDel, Dev: "tap1", Prefix: netip.MustParsePrefix("10.0.0.2/32")}},
		{"addr flush dev tap1", Effect{Op: OpAddrFlush, Dev: "tap1"}},
		{"-br addr show dev tap1", Effect{Dev: "tap1"}},
		{"route change 10.0.0.0/24 via 0.0.0.0 dev veth0", Effect{Op: OpRouteReplace, Dev: "veth0",
			Prefix: netip.MustParsePrefix("10.0.0.0/24"), Via: netip.MustParseAddr("0.0.0.0")}},
		{"r add default via 10.1.0.1", Effect{Op: OpRouteAdd, Prefix: netip.MustParsePrefix("0.0.0.0/0"),
			Via: netip.MustParseAddr("10.1.0.1")}},
		{"route del 10.2.0.0/16", Effect{Op: OpRouteDel, Prefix: netip.MustParsePrefix("10.2.0.0/16")}},
		{"route get 10.0.0.2", Effect{}},
		{"route", Effect{}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, err := Describe(strings.Fields(tt.line))
			if err != nil {
				t.Fatalf("ip %s: %v", tt.line, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ip %s:\ngot  %+v\nwant %+v", tt.line, got, tt.want)
			}
		})
	}
}

// TestDescribeErrors checks that Describe reports what the command's
// parser reports, message and status (for "ip netns exec", the parser of
// ip alone: Describe leaves the inner command to its caller).
func TestDescribeErrors(t *testing.T) {
	for _, line := range []string{
		"foo", "-x link", "link set", "link set veth0 mtu abc", "addr add 10.0.0.300/24 dev x",
		"addr add 10.0.0.1/24", "addr flush", "route add 10.1.0.0/24 via 10.0.0.300", "netns add a/b",
		"netns exec ns0", "tuntap add dev tap0", "link add veth0 type veth peer name", "maddress",
	} {
		_, want := parse(strings.Fields(line), nil)
		_, got := Describe(strings.Fields(line))
		we, ok1 := want.(*script.ExitError)
		ge, ok2 := got.(*script.ExitError)
		if !ok1 || !ok2 || *we != *ge {
			t.Errorf("ip %s: Describe's error %v, the parser's %v", line, got, want)
		}
	}
}

func TestOpString(t *testing.T) {
	if got := OpLinkAdd.String(); got != "link add" {
		t.Errorf("OpLinkAdd.String() = %q", got)
	}
	if got := Op(99).String(); got != "op?" {
		t.Errorf("Op(99).String() = %q", got)
	}
}

// FuzzDescribe: arbitrary words never panic, and Describe fails exactly
// when the parser does.
func FuzzDescribe(f *testing.F) {
	for _, seed := range []string{
		"link add veth0 type veth peer name veth2", "-n ns0 route change 10.0.0.0/24 via 0.0.0.0 dev veth0",
		"netns exec ns0 ip -n x route get 1.2.3.4", "l s x netns y name z master br0", "a d 1.2.3.4 dev x",
		"tuntap add mode tun", "link add type veth peer netns a", "net  e 0 ip",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		_, perr := parse(strings.Fields(line), nil)
		_, derr := Describe(strings.Fields(line))
		if (perr == nil) != (derr == nil) {
			t.Errorf("ip %s: parser error %v, Describe error %v", line, perr, derr)
		}
	})
}
