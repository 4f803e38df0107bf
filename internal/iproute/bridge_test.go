package iproute

import (
	"bytes"
	"encoding/binary"
	"maps"
	"strings"
	"testing"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/realtool"
)

// TestBridgeParseErrors checks the mistakes "bridge" catches before touching
// the network, with the bridge tool's messages and statuses (the
// differential test testdata/bridge.cmds holds them to the real tool).
func TestBridgeParseErrors(t *testing.T) {
	tests := []parseCase{
		{"", 255, bridgeUsageText},
		{"help", 255, bridgeUsageText},
		{"-help", 255, bridgeUsageText},
		{"-d", 255, bridgeUsageText},
		{"-x link", 255, `Option "-x" is unknown, try "bridge help".`},
		{"--x link", 255, `Option "-x" is unknown, try "bridge help".`},
		{"-n", 255, `Cannot open network namespace "(null)": No such file or directory`},
		{"foo", 255, `Object "foo" is unknown, try "bridge help".`},
		{"link foo", 255, `Command "foo" is unknown, try "bridge link help".`},
		{"link help", 255, brlinkUsageText},
		{"link show dev", 255, `Command line is not complete. Try option "help"`},
		{"link show dev a dev b", 255, `Error: duplicate "dev": "b" is the second value.`},
		{"link set", 255, "Device is a required argument."},
		{"link set cost 5", 255, "Device is a required argument."},
		{"link set dev", 255, `Command line is not complete. Try option "help"`},
		{"link set dev p0 guard", 255, `Command line is not complete. Try option "help"`},
		{"link set dev p0 guard x", 234, `Error: argument of "guard" must be one of "off", "on", not "x"`},
		{"link set dev p0 neigh_suppress yes", 234, `Error: argument of "neigh_suppress" must be one of "off", "on", not "yes"`},
		{"link set dev p0 state foo", 255, "Error: invalid STP port state"},
		{"link set dev p0 state 1x", 255, "Error: invalid STP port state"},
		{"link set dev p0 hwmode x", 255, `Mode argument must be "vepa" or "veb".`},
		{"link set dev p0 bogus", 255, brlinkUsageText},
		{"link change dev p0 Cost 1", 255, brlinkUsageText},
		{"fdb flush", 255, "Device is a required argument."},
		{"fdb flush brport v0 static", 255, "Device is a required argument."},
		{"fdb flush dev br0 brport a brport b", 255, `Error: either "brport" is duplicate, or "brport" is a garbage.`},
		{"fdb flush dev br0 vlan 1 vlan 2", 255, `Error: either "vlan" is duplicate, or "vlan" is a garbage.`},
		{"fdb flush dev br0 vlan", 255, `Command line is not complete. Try option "help"`},
		{"fdb flush dev br0 help", 255, `Command line is not complete. Try option "help"`},
		{"fdb get 02:00:00:00:00:01", 255, "Device or master and address are required arguments."},
		{"fdb get dev v0", 255, "Device or master and address are required arguments."},
		{"fdb get zz dev v0", 255, "Invalid mac address zz"},
		{"fdb get 02:00:00:00:00:01 dev v0 vlan 1 vlan 2", 255, `Error: either "vlan" is duplicate, or "vlan" is a garbage.`},
		{"fdb get 02:00:00:00:00:01 03:00:00:00:00:00 dev v0", 255, `Error: either "to" is duplicate, or "03:00:00:00:00:00" is a garbage.`},
		{"fdb get 02:00:00:00:00:01 dev v0 help", 255, fdbUsageText},
		{"vlan add dev p0", 255, "Device and VLAN ID are required arguments."},
		{"vlan add vid 5", 255, "Device and VLAN ID are required arguments."},
		{"vlan add vid", 255, `Command line is not complete. Try option "help"`},
		{"vlan add vid 5 dev p0 help", 255, `Command line is not complete. Try option "help"`},
		{"vlan show dev", 255, `Command line is not complete. Try option "help"`},
		{"vlan show dev a dev b", 255, `Error: duplicate "dev": "b" is the second value.`},
		{"vlan show vid 3 vid 4", 255, `Error: duplicate "vid": "4" is the second value.`},
		{"vlan foo", 255, `Command "foo" is unknown, try "bridge vlan help".`},
		{"vlan help", 255, vlanUsageText},
		{"vlan add vid 5 dev p0 tunnel_info id 5", 255, "bridge vlan: tunnel_info is not implemented by netscript"},
		{"vlan tunnelshow", 255, "bridge vlan tunnelshow: not implemented by netscript"},
		{"vlan global show", 255, "bridge vlan global: not implemented by netscript"},
		{"mdb add dev br0 port p0", 255, "Device, group address and port name are required arguments."},
		{"mdb del grp 239.1.1.1 port p0", 255, "Device, group address and port name are required arguments."},
		{"mdb add dev br0 port p0 grp", 255, `Command line is not complete. Try option "help"`},
		{"mdb add dev br0 port p0 grp 239.1.1.1 help", 255, mdbUsageText},
		{"mdb show dev", 255, `Command line is not complete. Try option "help"`},
		{"mdb show dev a dev b", 255, `Error: duplicate "dev": "b" is the second value.`},
		{"mdb show vid 1 vid 2", 255, `Error: duplicate "vid": "2" is the second value.`},
		{"mdb foo", 255, `Command "foo" is unknown, try "bridge mdb help".`},
		{"mdb help", 255, mdbUsageText},
		{"-d vlan", 255, "bridge -d vlan show: not implemented by netscript"},
		{"-d vlan show", 255, "bridge -d vlan show: not implemented by netscript"},
		{"-s link", 255, `bridge: option "-s" is not implemented by netscript`},
		{"-batch x", 255, `bridge: option "-batch" is not implemented by netscript`},
	}
	br := BridgeCmd()
	checkParseErrors(t, br, tests)
	checkParseAccepts(t, br, []string{"link", "l", "link show", "lin sh", "link lst", "link show dev p0 junk",
		"-n ns0 -d -j -p link", "--json link",
		"link set dev p0 cost 5", "link set dev p0 state 3 self", "link set dev p0 nobackup_port",
		"vlan", "vlan show dev p0 vid 5 junk", "vlan add vid 5 dev p0 pvid untagged self master x",
		"vlan del vid 5-7 dev p0",
		"fdb flush dev br0 brport v0 vlan 5 nostatic sticky noextern_learn x",
		"fdb get to 02:00:00:00:00:01 br br0 brport v0 vlan 5 vni 7 self master dynamic",
		"mdb", "mdb show dev br0 vid 5 junk", "mdb add dev br0 port p0 grp 239.1.1.1 permanent vid 5 x", "-V", "-Version x y"})
}

// TestBrlinkSetParse checks what "bridge link set" asks of the kernel, with
// brlink_modify's C conversions (atoi, truncation to its narrow types).
func TestBrlinkSetParse(t *testing.T) {
	tests := []struct {
		line     string
		cost     uint32
		priority int16
		state    int8
		mode     int16
		flags    uint16
		values   map[string]int8
	}{
		{"dev p0", 0, -1, -1, -1, 0, map[string]int8{}},
		{"dev p0 cost 7 priority 3 state forwarding", 7, 3, 3, -1, 0, map[string]int8{}},
		{"dev p0 cost -1 priority 65537 state 300", 0xffffffff, 1, 44, -1, 0, map[string]int8{}},
		{"dev p0 cost abc state 255", 0, -1, -1, -1, 0, map[string]int8{}},
		{"dev p0 state blocking", 0, -1, 4, -1, 0, map[string]int8{}},
		{"dev p0 master hwmode vepa", 0, -1, -1, 1, bridgeFlagsSelf, map[string]int8{}},
		{"dev p0 hwmode veb master", 0, -1, -1, 0, bridgeFlagsSelf | bridgeFlagsMaster, map[string]int8{}},
		{"dev p0 guard o hairpin on learning of isolated on", 0, -1, -1, -1, 0,
			map[string]int8{"guard": 0, "hairpin": 1, "learning": 0, "isolated": 1}},
		{"dev p0 mcast_router 2 flood on mcast_flood off neigh_suppress on", 0, -1, -1, -1, 0,
			map[string]int8{"mcast_router": 2, "flood": 1, "mcast_flood": 0, "neigh_suppress": 1}},
		{"dev p0 mcast_router 200", 0, -1, -1, -1, 0, map[string]int8{"mcast_router": -56}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r := &brlinkSet{values: map[string]int8{}, priority: -1, state: -1, mode: -1}
			if err := r.parse(strings.Fields(tt.line)); err != nil {
				t.Fatal(err)
			}
			if r.cost != tt.cost || r.priority != tt.priority || r.state != tt.state ||
				r.mode != tt.mode || r.flags != tt.flags || !maps.Equal(r.values, tt.values) {
				t.Errorf("got cost %d priority %d state %d mode %d flags %d %v", r.cost, r.priority,
					r.state, r.mode, r.flags, r.values)
			}
		})
	}
}

// TestBrlinkSetBackupPortFirst checks that a mistake after backup_port is
// reported when the command runs, after the device lookup, as
// brlink_modify reports it.
func TestBrlinkSetBackupPortFirst(t *testing.T) {
	br := BridgeCmd()
	for _, line := range []string{"link set backup_port p1", "link set backup_port p1 guard x", "link set backup_port p1 bogus"} {
		if _, err := br.Parse(strings.Fields(line)); err != nil {
			t.Errorf("%s: parse error %v, want it deferred", line, err)
		}
	}
	if _, err := br.Parse(strings.Fields("link set guard x backup_port p1")); err == nil {
		t.Error("guard x before backup_port: no parse error")
	}
}

// TestParseNeverPanics feeds "bridge" and "ip neigh" every sequence of up
// to three awkward words.
func TestBridgeNeighParseNeverPanics(t *testing.T) {
	words := []string{"", "-", "--", "-n", "-j", "link", "show", "set", "state", "backup_port", "vlan", "mdb", "add", "vid", "grp", "1-", "dev", "neigh", "nud", "to", "all",
		"1.2", "0x", "08", "10.0.0.0/", "/", "::/200", "master", "protocol", "\x00"}
	realtool.ParseEverySequence(t, BridgeCmd(), nil, words, 3)
	realtool.ParseEverySequence(t, ipCmd(), []string{"neigh"}, words, 3)
}

// vlanMsg is an AF_BRIDGE RTM_NEWLINK payload for index whose IFLA_AF_SPEC
// holds one IFLA_BRIDGE_VLAN_INFO per {flags, vid} pair.
func vlanMsg(index int32, infos ...[2]uint16) []byte {
	msg := nl.NewIfInfomsg(unix.AF_BRIDGE)
	msg.Index = index
	af := nl.NewRtAttr(unix.IFLA_AF_SPEC, nil)
	for _, in := range infos {
		b := make([]byte, 4)
		binary.NativeEndian.PutUint16(b, in[0])
		binary.NativeEndian.PutUint16(b[2:], in[1])
		af.AddRtAttr(iflaBridgeVlanInfo, b)
	}
	return append(msg.Serialize(), af.Serialize()...)
}

// TestFormatVlans checks print_vlan_info's text and JSON on the VLAN
// lists a kernel with bridge VLAN filtering sends (this one may have none).
func TestFormatVlans(t *testing.T) {
	names := map[int]string{3: "br0", 4: "p0"}
	msgs := [][]byte{
		vlanMsg(3, [2]uint16{bridgeVlanInfoPVID | bridgeVlanInfoUntagged, 1}),
		vlanMsg(4, [2]uint16{bridgeVlanInfoUntagged, 1}, [2]uint16{bridgeVlanInfoPVID, 5},
			[2]uint16{bridgeVlanInfoRangeBeg, 10}, [2]uint16{bridgeVlanInfoRangeEnd, 20}),
		vlanMsg(9), // no VLANs: no line
	}
	tests := []struct {
		json                    bool
		filterIndex, filterVlan int
		want                    string
	}{
		{false, 0, 0, "port              vlan-id  \n" +
			"br0               1 PVID Egress Untagged\n" +
			"p0                1 Egress Untagged\n" +
			"                  5 PVID\n" +
			"                  10-20\n"},
		{false, 4, 0, "port              vlan-id  \n" +
			"p0                1 Egress Untagged\n" +
			"                  5 PVID\n" +
			"                  10-20\n"},
		{false, 0, 5, "port              vlan-id  \n" +
			"p0                5 PVID\n"},
		{false, 0, 15, "port              vlan-id  \n" +
			"p0                10-20\n"},
		{true, 0, 0, `[{"ifname":"br0","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]}]},` +
			`{"ifname":"p0","vlans":[{"vlan":1,"flags":["Egress Untagged"]},{"vlan":5,"flags":["PVID"]},` +
			`{"vlan":10,"vlanEnd":20}]}]` + "\n"},
		{true, 0, 7, "[]\n"},
	}
	for _, tt := range tests {
		got := formatVlans(msgs, tt.json, false, tt.filterIndex, tt.filterVlan, names)
		if got != tt.want {
			t.Errorf("json %t index %d vid %d:\ngot  %q\nwant %q", tt.json, tt.filterIndex, tt.filterVlan, got, tt.want)
		}
	}
}

// TestVlanRequest checks the VLAN checks vlan_modify makes after its
// device lookup, and the IFLA_AF_SPEC it sends.
func TestVlanRequest(t *testing.T) {
	tests := []struct {
		line, err string
		infos     [][2]uint16
	}{
		{"vid 5 dev p0 pvid untagged", "", [][2]uint16{{bridgeVlanInfoPVID | bridgeVlanInfoUntagged, 5}}},
		{"vid 10-20 dev p0", "", [][2]uint16{{bridgeVlanInfoRangeBeg, 10}, {bridgeVlanInfoRangeEnd, 20}}},
		{"vid 5000 dev p0", `Invalid VLAN ID "5000"`, nil},
		{"vid -3 dev p0", "", [][2]uint16{{bridgeVlanInfoRangeBeg, 0}, {bridgeVlanInfoRangeEnd, 3}}}, // strchr finds the "-"
		{"vid 5-3 dev p0", `Invalid VLAN range "5-3"`, nil},
		{"vid 5- dev p0", `Invalid VLAN range "5-0"`, nil},
		{"vid 3-5 dev p0 pvid", "pvid cannot be configured for a vlan range", nil},
	}
	for _, tt := range tests {
		r, err := parseVlanRequest(unix.RTM_SETLINK, strings.Fields(tt.line))
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		if msg := r.check(); msg != tt.err {
			t.Errorf("%s: check %q, want %q", tt.line, msg, tt.err)
			continue
		} else if msg != "" {
			continue
		}
		want := vlanMsg(0, tt.infos...)[unix.SizeofIfInfomsg:]
		if got := r.afSpec().Serialize(); !bytes.Equal(got, want) {
			t.Errorf("%s: IFLA_AF_SPEC %x, want %x", tt.line, got, want)
		}
	}
}

// TestMdbEntry checks mdb_parse_grp's readings of a group and its errors,
// which show ll_addr_a2n cutting the string at its first colon.
func TestMdbEntry(t *testing.T) {
	tests := []struct {
		grp, msg string
		proto    uint16
		addr     []byte
	}{
		{"239.1.1.1", "", ethPIP, []byte{239, 1, 1, 1}},
		{"ff0e::5", "", ethPIPv6, []byte{0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}},
		{"01:00:5e:01:01:05", "", 0, []byte{1, 0, 0x5e, 1, 1, 5}},
		{"1:0:5e:1:1:5", "", 0, []byte{1, 0, 0x5e, 1, 1, 5}},
		{"foo", `Invalid address "foo"`, 0, nil},
		{"1:2:3:4:5:6:7", `Invalid address "1"`, 0, nil},
		{"1:2:3", `Invalid address "1"`, 0, nil},
		{"zz:1", `"zz" is invalid lladdr.` + "\n" + `Invalid address "zz"`, 0, nil},
		{"1:2:3:4:5:100", `"100" is invalid lladdr.` + "\n" + `Invalid address "1"`, 0, nil},
		{"1.2.3", `Invalid address "1.2.3"`, 0, nil},
		{"1.2.x", `"1.2.x" is invalid lladdr.` + "\n" + `Invalid address "1.2.x"`, 0, nil},
	}
	for _, tt := range tests {
		e, msg := mdbEntry(3, mdbPermanent, 5, tt.grp)
		if msg != tt.msg {
			t.Errorf("%s: message %q, want %q", tt.grp, msg, tt.msg)
			continue
		}
		if e == nil {
			continue
		}
		if got := binary.BigEndian.Uint16(e[24:]); got != tt.proto || !bytes.Equal(e[8:8+len(tt.addr)], tt.addr) ||
			binary.NativeEndian.Uint32(e) != 3 || e[4] != mdbPermanent || binary.NativeEndian.Uint16(e[6:]) != 5 {
			t.Errorf("%s: entry %x", tt.grp, e)
		}
	}
}
