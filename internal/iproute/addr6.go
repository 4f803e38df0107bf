package iproute

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// settleAddr6 waits, briefly, until the kernel has finished setting up a
// new IPv6 address added with nodad on a link that is up with carrier:
// until the link listens to the address's solicited-node multicast group.
// The kernel joins it from a work queue shared by every namespace, some
// time after "ip addr add" returns; a neighbour solicitation that comes
// before is dropped, and the first ping to the address then waits for the
// next solicitation, a second later. Waiting here, as settleLink does for
// links, makes a scenario's next command see the address ready, whatever
// the machine's load. Nothing is printed and nothing fails: after the
// deadline the command simply returns. It runs on a thread inside the
// command's namespace.
func settleAddr6(link netlink.Link, addr netip.Addr, flags uint32) {
	a := link.Attrs()
	if !addr.Is6() || flags&unix.IFA_F_NODAD == 0 ||
		a.RawFlags&unix.IFF_UP == 0 || a.RawFlags&unix.IFF_LOWER_UP == 0 ||
		a.RawFlags&(unix.IFF_LOOPBACK|unix.IFF_NOARP) != 0 {
		return
	}
	group := solicitedNode(addr)
	deadline := time.Now().Add(time.Second)
	for !joined(a.Index, group) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

// solicitedNode is the solicited-node multicast group of addr
// (ff02::1:ffXX:XXXX) as /proc/net/igmp6 writes it.
func solicitedNode(addr netip.Addr) string {
	b := addr.As16()
	return fmt.Sprintf("ff0200000000000000000001ff%02x%02x%02x", b[13], b[14], b[15])
}

// joined reports whether the link with the given index listens to group,
// in the calling thread's namespace.
func joined(index int, group string) bool {
	data, err := os.ReadFile("/proc/thread-self/net/igmp6")
	if err != nil {
		return true // nothing to wait on
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == fmt.Sprint(index) && f[2] == group {
			return true
		}
	}
	return false
}
