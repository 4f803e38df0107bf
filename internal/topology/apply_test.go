package topology

import (
	"fmt"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/script"
)

// TestApply runs small scripts through the model and checks the topology
// they end with (namespaces other than an untouched root) and the
// problems they have, as "LINE: message".
func TestApply(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		want     string // Topology.String() without the "root: lo(loopback)" line
		problems []string
	}{
		{
			name: "tutorial",
			script: `ip netns add ns0
ip netns add ns1
ip -n ns0 tuntap add dev tap0 mode tap
ip -n ns0 addr add 10.0.0.1/24 dev tap0
ip -n ns0 link set tap0 up
ip link add veth0 type veth peer name veth2
ip link set veth0 netns ns0
ip link set veth2 netns ns1
ip netns exec ns0 ip link set veth0 up
ip netns exec ns0 ip route change 10.0.0.0/24 via 0.0.0.0 dev veth0`,
			want: "ns0: lo(loopback) tap0(tap,up,10.0.0.1/24) veth0(veth,up,peer=ns1/veth2)\n" +
				"ns1: lo(loopback) veth2(veth,peer=ns0/veth0)\n",
		},
		{
			name: "veth born in namespaces",
			script: `ip netns add a
ip netns add b
ip link add va netns a up type veth peer name vb netns b
ip link add x netns a type veth peer name y`,
			want: "root: lo(loopback) y(veth,peer=a/x)\n" +
				"a: lo(loopback) va(veth,up,peer=b/vb) x(veth,peer=root/y)\n" +
				"b: lo(loopback) vb(veth,peer=a/va)\n",
		},
		{
			name:   "names the kernel picks",
			script: "ip link add type veth\nip link add br%d type bridge\nip link add type bridge\nip tuntap add mode tap\nip link add type veth",
			want: "root: lo(loopback) veth0(veth,peer=root/veth1) veth1(veth,peer=root/veth0) br0(bridge) " +
				"bridge0(bridge) tap0(tap) veth2(veth,peer=root/veth3) veth3(veth,peer=root/veth2)\n",
		},
		{
			name: "a move takes addresses, state and bridge away",
			script: `ip netns add a
ip link add br0 type bridge
ip link add v0 type veth peer name v1
ip link set v0 master br0
ip addr add 10.0.0.1/24 dev v0
ip link set v0 up
ip link set v0 netns a name eth0
ip link set v1 name w1 up`,
			want: "root: lo(loopback) br0(bridge) w1(veth,up,peer=a/eth0)\na: lo(loopback) eth0(veth,peer=root/w1)\n",
		},
		{
			name: "bridge ports",
			script: `ip link add br0 type bridge
ip link add p0 type veth peer name q0
ip link add p1 type veth peer name q1
ip link set p0 master br0
ip link set p1 master br0
ip link set p1 nomaster
ip link set p0 master q0`,
			want:     "root: lo(loopback) br0(bridge) q0(veth,peer=root/p0) p0(veth,peer=root/q0,master=br0) q1(veth,peer=root/p1) p1(veth,peer=root/q1)\n",
			problems: []string{`7: "q0" cannot be a master: it is a veth device, not a bridge`},
		},
		{
			name: "deletions",
			script: `ip netns add a
ip netns add b
ip link add br0 type bridge
ip link add p0 type veth peer name q0
ip link set p0 master br0
ip link del br0
ip link add x netns a type veth peer name y netns b
ip link add mv type veth peer name nv netns a
ip netns del a
ip -n b link set y up
ip link set mv up
ip link del q0
ip link set p0 up`,
			want: "b: lo(loopback)\n",
			problems: []string{
				`10: no device "y" in namespace "b" (deleted at line 9 with namespace "a", where its veth peer was)`,
				`11: no device "mv" in the root namespace (deleted at line 9 with namespace "a", where its veth peer was)`,
				`13: no device "p0" in the root namespace (deleted at line 12 with its veth peer "q0")`,
			},
		},
		{
			name: "names used before they exist",
			script: `ip -n a link set lo up
ip netns add a
ip link set v0 up
ip link add v0 type veth peer name v1
ip link set v1 netns a
ip link set v1 up
ip -n a link set v1 name w1
ip -n a addr add 10.0.0.1/24 dev v1
ip link set v0 netns b
ip netns exec b ip link
ip link set v0 master br9
ip route add 10.1.0.0/24 dev nope
ip addr show dev v1
ip -n a link show w1`,
			want: "root: lo(loopback) v0(veth,peer=a/w1)\na: lo(loopback) w1(veth,peer=root/v0)\n",
			problems: []string{
				`1: namespace "a" does not exist (it is added later, at line 2)`,
				`3: no device "v0" in the root namespace (it is created later, at line 4)`,
				`6: no device "v1" in the root namespace (moved to namespace "a" at line 5)`,
				`8: no device "v1" in namespace "a" (renamed to "w1" at line 7)`,
				`9: namespace "b" does not exist`,
				`10: namespace "b" does not exist`,
				`11: no device "br9" in the root namespace`,
				`12: no device "nope" in the root namespace`,
				`13: no device "v1" in the root namespace (moved to namespace "a" at line 5)`,
			},
		},
		{
			name:   "ip netns exec nested as deep as allowed",
			script: "ip netns add a\n" + strings.Repeat("ip netns exec a ", 64) + "ip link add v0 type veth peer name v1",
			want:   "a: lo(loopback) v1(veth,peer=a/v0) v0(veth,peer=a/v1)\n",
		},
		{
			name:     "ip netns exec nested too deep",
			script:   "ip netns add a\n" + strings.Repeat("ip netns exec a ", 65) + "ip link add v0 type veth peer name v1",
			want:     "a: lo(loopback)\n",
			problems: []string{"2: ip: more than 64 commands that run another command (retry, ip netns exec) nested on one line"},
		},
		{
			name:     "ip netns exec nested 100,000 deep",
			script:   "ip netns add a\n" + strings.Repeat("ip netns exec a ", 100_000) + "ip link",
			want:     "a: lo(loopback)\n",
			problems: []string{"2: ip: more than 64 commands that run another command (retry, ip netns exec) nested on one line"},
		},
		{
			name: "it is elsewhere",
			script: `ip netns add a
ip -n a link add v0 type veth peer name v1
ip link set v0 up`,
			want:     "a: lo(loopback) v1(veth,peer=a/v0) v0(veth,peer=a/v1)\n",
			problems: []string{`3: no device "v0" in the root namespace (it is in namespace "a")`},
		},
		{
			name: "made twice",
			script: `ip netns add a
ip netns add a
ip link add v0 type veth peer name v1
ip link add v1 type veth peer name v2
ip link add x type veth peer name x
ip tuntap add dev lo mode tap
ip addr add 10.0.0.1/24 dev v0
ip addr add 10.0.0.1/16 dev v0
ip addr replace 10.0.0.1/16 dev v0
ip addr del 10.9.9.9/24 dev v0
ip addr add 10.0.0.2/24 dev v0
ip addr flush dev v0
ip addr add fe80::1/64 dev v1`,
			want: "root: lo(loopback) v1(veth,fe80::1/64,peer=root/v0) v0(veth,peer=root/v1)\na: lo(loopback)\n",
			problems: []string{
				`2: namespace "a" already exists (added at line 1)`,
				`4: device "v1" already exists in the root namespace (created at line 3)`,
				`5: device "x" already exists in the root namespace (the veth pair's two ends have the same name)`,
				`6: device "lo" already exists in the root namespace`,
				`8: address 10.0.0.1 is already on "v0" in the root namespace`,
				`10: address 10.9.9.9 is not on "v0" in the root namespace`,
			},
		},
		{
			name: "what cannot be moved or deleted",
			script: `ip netns add a
ip link add br0 type bridge
ip link set br0 netns a
ip link set lo netns a
ip link del lo
ip tuntap del dev tap9 mode tap
ip tuntap del dev br0 mode tap`,
			want: "root: lo(loopback) br0(bridge)\na: lo(loopback)\n",
			problems: []string{
				`3: "br0" cannot move to another namespace: a bridge device stays in its namespace`,
				`4: "lo" cannot move to another namespace: a loopback device stays in its namespace`,
				`5: "lo" cannot be deleted: it is the namespace's loopback device`,
			},
		},
		{
			name: "negated, conditional, malformed, stopped",
			script: `! ip link set v9 up
! ip link add v0 type veth peer name v1
[root] ip link set v9 up
[root] ip link add c0 type veth peer name c1
ip link add v0 type veth peer name v1 frob
ip link set v0 mtu abc
ping -c 1 10.0.0.1
stop
ip link set v9 up
ip link add after type bridge`,
			want: "root: lo(loopback) c1(veth,peer=root/c0) c0(veth,peer=root/c1)\n",
		},
		{
			name: "a conditional skip does not stop",
			script: `[!root] skip 'needs root'
ip link add b0 type bridge
ip -n nowhere link`,
			want:     "root: lo(loopback) b0(bridge)\n",
			problems: []string{`3: namespace "nowhere" does not exist`},
		},
		{
			name:   "netns exec runs nested ip where it says",
			script: "ip netns add a\nip netns add b\nip netns exec a ip -n b link add x type bridge\nip netns exec a ip netns exec b ip link set x up",
			want:   "a: lo(loopback)\nb: lo(loopback) x(bridge,up)\n",
		},
		{
			name: "retry is seen through",
			script: `ip netns add ns0
retry ip -n ns0 link add veth0 type veth peer name veth1
ip -n ns0 link set veth0 up
retry -t 1s retry ip netns exec ns0 ip link set veth1 up
ip netns exec ns0 retry ip addr add 10.0.0.1/24 dev veth0`,
			want: "ns0: lo(loopback) veth1(veth,up,peer=ns0/veth0) veth0(veth,up,10.0.0.1/24,peer=ns0/veth1)\n",
		},
		{
			name: "retry and netns exec report what they wrap",
			script: `ip netns add ns0
retry ip -n ns0 link set veth9 up
ip netns exec ns0 retry -t 2s ip link del veth9
retry ip netns exec ns7 ip link show
retry ip netns exec ns0 ip -n ns7 link show`,
			problems: []string{
				`2: no device "veth9" in namespace "ns0"`,
				`3: no device "veth9" in namespace "ns0"`,
				`4: namespace "ns7" does not exist`,
				`5: namespace "ns7" does not exist`,
			},
			want: "ns0: lo(loopback)\n",
		},
		{
			name: "retry ! waits for a failure: neither applied nor reported",
			script: `ip netns add ns0
retry ! ip -n ns0 link show veth9
retry -t 1s ! ip netns exec ns0 ip link add b0 type bridge
ip netns exec ns0 retry ! ip link del veth9`,
			want: "ns0: lo(loopback)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := Read(tt.name+".txtar", []byte(tt.script+"\n"))
			got := strings.TrimPrefix(sc.Topology.String(), "root: lo(loopback)\n")
			if got != tt.want {
				t.Errorf("topology:\n%s\nwant:\n%s", got, tt.want)
			}
			var problems []string
			for _, p := range sc.Problems {
				problems = append(problems, fmt.Sprintf("%d: %s", p.Line, p.Msg))
			}
			if strings.Join(problems, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(problems, "\n"), strings.Join(tt.problems, "\n"))
			}
		})
	}
}

func TestEnvCommand(t *testing.T) {
	sc := Read("env.txtar", []byte("env NS=ns5 DEV=v0\nip netns add $NS\nip -n $NS link add $DEV type veth peer name p$DEV\n"))
	if len(sc.Problems) > 0 {
		t.Fatalf("problems: %v", sc.Problems)
	}
	want := "root: lo(loopback)\nns5: lo(loopback) pv0(veth,peer=ns5/v0) v0(veth,peer=ns5/pv0)\n"
	if got := sc.Topology.String(); got != want {
		t.Errorf("topology:\n%s\nwant\n%s", got, want)
	}
}

// TestCommandOfOnesOwn checks that a command outside netscript's table
// that declares its effects (script.WithEffects) is drawn and checked as
// ip's commands are, seen through retry and "ip netns exec" as they are.
func TestCommandOfOnesOwn(t *testing.T) {
	table := commands.Table()
	// pair NS A B: a veth pair A-B made in namespace NS.
	table.Add(&script.Cmd{Name: "pair", Parse: func(args []string) (script.Action, error) {
		if len(args) != 3 {
			return nil, script.Errorf(2, "usage: pair NS A B")
		}
		run := script.ActionFunc(func(*script.State) error { return nil })
		return script.WithEffects(run, script.Effect{Op: script.OpLinkAdd, Netns: args[0], Dev: args[1],
			Kind: "veth", Peer: args[2]}), nil
	}})
	sc := ReadTable("own.txtar", []byte(`ip netns add a
retry pair a x y
ip netns exec a pair a v w
ip -n a link set x up
pair b p q
`), table)
	want := "a: lo(loopback) y(veth,peer=a/x) x(veth,up,peer=a/y) w(veth,peer=a/v) v(veth,peer=a/w)\n"
	if got := sc.Topology.String(); !strings.Contains(got, want) {
		t.Errorf("topology:\n%s\nwant a line\n%s", got, want)
	}
	if got := fmt.Sprint(sc.Problems); got != `[{5 namespace "b" does not exist}]` {
		t.Errorf("problems: %s", got)
	}
}
