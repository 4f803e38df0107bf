package cli

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/realtool"
)

// lostPing builds a veth pair, pings across it, then pings an address ns0
// does not forward to: the scenario fails, and the capture shows why.
const lostPing = `ip netns add ns0
ip netns add ns1
ip link add veth0 type veth peer name veth2
ip link set veth0 netns ns0
ip link set veth2 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns1 addr add 10.0.0.2/24 dev veth2
ip -n ns0 link set veth0 up
ip -n ns1 link set veth2 up
ip netns exec ns0 ping -c 2 -i 0.01 10.0.0.2
ip -n ns1 route add 10.9.0.0/24 via 10.0.0.1
ip netns exec ns1 ping -c 1 -W 1 10.9.0.1
`

// deletedNamespace deletes a namespace while it is captured: the capture
// must let it go, and with it the veth pair.
const deletedNamespace = `ip netns add ns0
ip netns add ns1
ip -n ns0 link add veth0 type veth peer name veth2
ip -n ns0 link set veth2 netns ns1
ip -n ns0 link set veth0 up
ip netns del ns1
retry ! ip -n ns0 link show veth0
`

// pcapPackets reads a classic pcap file: its link type and packets.
func pcapPackets(t *testing.T, path string) (linktype uint32, packets [][]byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(data) < 24 || le.Uint32(data) != 0xa1b2c3d4 || le.Uint16(data[4:]) != 2 || le.Uint16(data[6:]) != 4 {
		t.Fatalf("%s: not a pcap file (header % x)", path, data[:min(24, len(data))])
	}
	linktype = le.Uint32(data[20:])
	for rest := data[24:]; len(rest) > 0; {
		if len(rest) < 16 {
			t.Fatalf("%s: a cut record header", path)
		}
		n := int(le.Uint32(rest[8:]))
		if orig := int(le.Uint32(rest[12:])); orig < n || len(rest) < 16+n {
			t.Fatalf("%s: a record of %d bytes (%d on the wire) in %d", path, n, orig, len(rest)-16)
		}
		packets = append(packets, rest[16:16+n])
		rest = rest[16+n:]
	}
	return linktype, packets
}

// isEchoRequest reports whether an Ethernet frame is an ICMP echo request
// from src to dst.
func isEchoRequest(frame []byte, src, dst [4]byte) bool {
	if len(frame) < 14+20+8 || frame[12] != 0x08 || frame[13] != 0x00 {
		return false
	}
	ip := frame[14:]
	ihl := int(ip[0]&0x0f) * 4
	return ip[9] == 1 && bytes.Equal(ip[12:16], src[:]) && bytes.Equal(ip[16:20], dst[:]) &&
		len(ip) > ihl && ip[ihl] == 8
}

// TestPcap runs a failing and a passing scenario with -pcap: the failed one
// leaves a pcap file per interface, holding the unanswered ping, that
// tcpdump reads; the passing one leaves nothing. A namespace deleted while
// captured goes away as without a capture.
func TestPcap(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{"lost.txtar": lostPing, "deleted.txtar": deletedNamespace, "good.txtar": passing})
	out := t.TempDir()
	code, stdout, stderr := run("run", "-pcap", out, dir)
	if code != exitFailed || !strings.Contains(stdout, "2 passed, 1 failed") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "netscript run: -pcap: lost: packets of 2 interface(s) in " + filepath.Join(out, "lost") + "\n"; stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 1 || entries[0].Name() != "lost" {
		t.Errorf("-pcap kept %v (%v); want only the failed scenario's", entries, err)
	}
	for _, file := range []string{"ns0-veth0.pcap", "ns1-veth2.pcap"} {
		path := filepath.Join(out, "lost", file)
		linktype, packets := pcapPackets(t, path)
		if linktype != 1 {
			t.Errorf("%s: link type %d, want 1 (Ethernet)", file, linktype)
		}
		var replied, lost int
		for _, p := range packets {
			if isEchoRequest(p, [4]byte{10, 0, 0, 1}, [4]byte{10, 0, 0, 2}) {
				replied++
			}
			if isEchoRequest(p, [4]byte{10, 0, 0, 2}, [4]byte{10, 9, 0, 1}) {
				lost++
			}
		}
		if replied != 2 || lost != 1 {
			t.Errorf("%s: %d echo requests to 10.0.0.2 and %d to 10.9.0.1 in %d packets; want 2 and 1", file, replied, lost, len(packets))
		}
		if _, err := exec.LookPath("tcpdump"); err != nil {
			continue
		}
		dump, err := exec.Command("tcpdump", "-n", "-r", path).CombinedOutput()
		if err != nil || !strings.Contains(string(dump), "IP 10.0.0.2 > 10.9.0.1: ICMP echo request") ||
			!strings.Contains(string(dump), "IP 10.0.0.2 > 10.0.0.1: ICMP echo reply") {
			t.Errorf("tcpdump -r %s: %v\n%s", file, err, dump)
		}
	}
}
