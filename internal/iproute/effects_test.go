package iproute

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

// TestEffects checks the effects each parser reports, read from the words
// it parsed: the value the runner runs is the one check and graph read.
func TestEffects(t *testing.T) {
	up, down, br, none := true, false, "br0", ""
	type E = script.Effect
	tests := []struct {
		line string
		want []E
	}{
		{"netns add ns0", []E{{Op: script.OpNetnsAdd, Namespace: "ns0"}}},
		{"netns del ns0", []E{{Op: script.OpNetnsDel, Namespace: "ns0"}}},
		{"netns", []E{{}}},
		{"netns list", []E{{}}},
		{"-n ns0 netns list-id", []E{{Netns: "ns0"}}},
		{"netns exec ns0 some-program -x", []E{{Op: script.OpNetnsExec, Namespace: "ns0", Argv: []string{"some-program", "-x"}}}},
		{"-n ns1 netns exec ns0 some-program &", []E{{Op: script.OpNetnsExec, Netns: "ns1", Namespace: "ns0",
			Argv: []string{"some-program", "&"}}}},
		{"-n ns0 tuntap add dev tap0 mode tap", []E{{Op: script.OpLinkAdd, Netns: "ns0", Dev: "tap0", Kind: "tap"}}},
		{"tuntap add mode tun", []E{{Op: script.OpLinkAdd, Kind: "tun"}}},
		{"tuntap del dev tap0 mode tap", []E{{Op: script.OpLinkDel, Dev: "tap0", Optional: true}}},
		{"link add veth0 type veth peer name veth2", []E{{Op: script.OpLinkAdd, Dev: "veth0", Kind: "veth", Peer: "veth2"}}},
		{"link add v01 netns ns0 up type veth peer v10 netns ns1", []E{{Op: script.OpLinkAdd, Dev: "v01", Kind: "veth",
			To: "ns0", Up: &up, Peer: "v10", PeerNetns: "ns1"}}},
		{"link add type veth", []E{{Op: script.OpLinkAdd, Kind: "veth"}}},
		{"l a br0 type bridge", []E{{Op: script.OpLinkAdd, Dev: "br0", Kind: "bridge"}}},
		{"link set veth0 netns ns0", []E{{Op: script.OpLinkSet, Dev: "veth0", To: "ns0"}}},
		{"link set dev veth0 down name eth0", []E{{Op: script.OpLinkSet, Dev: "veth0", Up: &down, NewName: "eth0"}}},
		{"link set veth0 master br0", []E{{Op: script.OpLinkSet, Dev: "veth0", Master: &br}}},
		{"link set veth0 nomaster", []E{{Op: script.OpLinkSet, Dev: "veth0", Master: &none}}},
		{"l s veth0 up", []E{{Op: script.OpLinkSet, Dev: "veth0", Up: &up}}}, // "s" is set, not show
		{"link set group 3 up", []E{{}}}, // no link named
		{"link del dev veth0", []E{{Op: script.OpLinkDel, Dev: "veth0"}}},
		{"link show veth0", []E{{Dev: "veth0"}}},
		{"link", []E{{}}},
		{"-n ns1 addr add 10.0.0.2/24 dev tap1", []E{{Op: script.OpAddrAdd, Netns: "ns1", Dev: "tap1",
			Prefix: netip.MustParsePrefix("10.0.0.2/24")}}},
		{"a replace 10.0.0.2/24 dev tap1", []E{{Op: script.OpAddrReplace, Dev: "tap1", Prefix: netip.MustParsePrefix("10.0.0.2/24")}}},
		{"a change 10.0.0.2/24 dev tap1", []E{{Op: script.OpAddrReplace, Dev: "tap1", Prefix: netip.MustParsePrefix("10.0.0.2/24")}}},
		{"addr del 10.0.0.2 dev tap1", []E{{Op: script.OpAddrDel, Dev: "tap1", Prefix: netip.MustParsePrefix("10.0.0.2/32")}}},
		{"addr flush dev tap1", []E{{Op: script.OpAddrFlush, Dev: "tap1"}}},
		{"-br addr show dev tap1", []E{{Dev: "tap1"}}},
		{"route change 10.0.0.0/24 via 0.0.0.0 dev veth0", []E{{Op: script.OpRouteReplace, Dev: "veth0",
			Prefix: netip.MustParsePrefix("10.0.0.0/24"), Via: netip.MustParseAddr("0.0.0.0")}}},
		{"r add default via 10.1.0.1", []E{{Op: script.OpRouteAdd, Prefix: netip.MustParsePrefix("0.0.0.0/0"),
			Via: netip.MustParseAddr("10.1.0.1")}}},
		{"route append 10.3.0.0/16 dev veth0", []E{{Op: script.OpRouteAdd, Dev: "veth0", Prefix: netip.MustParsePrefix("10.3.0.0/16")}}},
		{"route del 10.2.0.0/16", []E{{Op: script.OpRouteDel, Prefix: netip.MustParsePrefix("10.2.0.0/16")}}},
		{"route test 10.2.0.0/16 dev veth0", []E{{}}},
		{"route get 10.0.0.2", []E{{}}},
		{"route", []E{{}}},
		{"-n ns0 neigh show", []E{{Netns: "ns0"}}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			act, err := parse(strings.Fields(tt.line), nil)
			if err != nil {
				t.Fatalf("ip %s: %v", tt.line, err)
			}
			if got := script.Effects(act); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ip %s:\ngot  %+v\nwant %+v", tt.line, got, tt.want)
			}
		})
	}
}

// TestEffectsThroughNetnsExec checks that "ip netns exec" and "ip -n"
// forward the effects of the command of the table they run, in the
// namespace it runs in: after the exec's own, and with a namespace of its
// own ("ip -n") left alone.
func TestEffectsThroughNetnsExec(t *testing.T) {
	table := script.Table{}
	table.Add(Cmd(table))
	type E = script.Effect
	tests := []struct {
		line string
		want []E
	}{
		{"ip netns exec ns0 ip link set veth0 up", []E{
			{Op: script.OpNetnsExec, Namespace: "ns0", Argv: []string{"ip", "link", "set", "veth0", "up"}},
			{Op: script.OpLinkSet, Netns: "ns0", Dev: "veth0", Up: ptr(true)}}},
		{"ip -n ns0 netns exec ns1 ip netns exec ns2 ip -n ns3 link show x", []E{
			{Op: script.OpNetnsExec, Netns: "ns0", Namespace: "ns1",
				Argv: []string{"ip", "netns", "exec", "ns2", "ip", "-n", "ns3", "link", "show", "x"}},
			{Op: script.OpNetnsExec, Netns: "ns1", Namespace: "ns2", Argv: []string{"ip", "-n", "ns3", "link", "show", "x"}},
			{Netns: "ns3", Dev: "x"}}},
		{"ip netns exec ns0 ip netns add ns1", []E{
			{Op: script.OpNetnsExec, Namespace: "ns0", Argv: []string{"ip", "netns", "add", "ns1"}},
			{Op: script.OpNetnsAdd, Netns: "ns0", Namespace: "ns1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			act, ok, err := table.Parse(strings.Fields(tt.line))
			if !ok || err != nil {
				t.Fatalf("%s: %v", tt.line, err)
			}
			if got := script.Effects(act); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s:\ngot  %+v\nwant %+v", tt.line, got, tt.want)
			}
		})
	}
}

func TestOpString(t *testing.T) {
	if got := script.OpLinkAdd.String(); got != "link add" {
		t.Errorf("OpLinkAdd.String() = %q", got)
	}
	if got := script.Op(99).String(); got != "op?" {
		t.Errorf("Op(99).String() = %q", got)
	}
}

// FuzzEffects: arbitrary words never panic, and a command that parses
// tells what it does with effects check and graph can apply: at least one,
// each a known operation, naming what that operation needs.
func FuzzEffects(f *testing.F) {
	for _, seed := range []string{
		"link add veth0 type veth peer name veth2", "-n ns0 route change 10.0.0.0/24 via 0.0.0.0 dev veth0",
		"netns exec ns0 ip -n x route get 1.2.3.4", "l s x netns y name z master br0", "a d 1.2.3.4 dev x",
		"tuntap add mode tun", "link add type veth peer netns a", "net  e 0 ip", "link set group 1 up",
		"a flush dev x", "netns add a", "r append 10.0.0.0/8 dev x",
	} {
		f.Add(seed)
	}
	table := script.Table{}
	table.Add(Cmd(table))
	f.Fuzz(func(t *testing.T, line string) {
		act, ok, err := table.Parse(append([]string{"ip"}, strings.Fields(line)...))
		if !ok {
			t.Fatalf("ip %s: not a command of the table", line)
		}
		if err != nil {
			return
		}
		effects := script.Effects(act)
		if len(effects) == 0 {
			t.Errorf("ip %s: no effect", line)
		}
		for _, e := range effects {
			var bad bool
			switch e.Op {
			case script.OpNetnsAdd, script.OpNetnsDel, script.OpNetnsExec:
				bad = e.Namespace == ""
			case script.OpLinkSet, script.OpLinkDel, script.OpAddrFlush:
				bad = e.Dev == "" && !e.Optional
			case script.OpAddrAdd, script.OpAddrReplace, script.OpAddrDel:
				bad = e.Dev == "" || !e.Prefix.IsValid()
			case script.OpRouteAdd, script.OpRouteReplace, script.OpRouteDel:
				bad = !e.Prefix.IsValid() && e.Dev == ""
			case script.OpNone, script.OpLinkAdd:
			default:
				bad = true
			}
			if bad {
				t.Errorf("ip %s: effect %+v lacks what %v needs", line, e, e.Op)
			}
		}
	})
}
