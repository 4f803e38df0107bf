package nettools

import (
	"fmt"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/script"
)

// "route add" and "route del" for inet: net-tools 2.10's INET_setroute
// (lib/inet_sr.c), which fills a struct rtentry and hands it to the kernel
// with the SIOCADDRT or SIOCDELRT ioctl. netscript sends the same ioctl from
// a thread inside the scenario's namespace, so the kernel decides as it
// does for net-tools (fib_table_insert through rtentry_to_fib_config).

// Exit statuses of INET_setroute beyond E_OPTERR.
const (
	exitLookup = 6 // E_LOOKUP
	exitSock   = 7 // E_SOCK: the ioctl failed
)

// rtentry is the kernel's struct rtentry on a 64-bit machine.
type rtentry struct {
	pad1    uint64
	dst     unix.RawSockaddrInet4
	gateway unix.RawSockaddrInet4
	genmask unix.RawSockaddrInet4
	flags   uint16
	pad2    int16
	pad3    uint64
	pad4    uintptr
	metric  int16
	dev     *byte
	mtu     uint64
	window  uint64
	irtt    uint16
}

// Route flags of struct rtentry (linux/route.h) beyond fib.go's.
const (
	rtfReinstate = 0x0008
	rtfDynamic   = 0x0010
	rtfModified  = 0x0020
	rtfMSS       = 0x0040
	rtfWindow    = 0x0080
	rtfIRTT      = 0x0100
)

// setRoute is one parsed "route add|del" for inet.
type setRoute struct {
	add bool
	rt  rtentry
	dev string
}

// parseInetSetroute is INET_setroute up to the ioctl: args are what follows
// "add" or "del", with -net and -host already turned into #net and #host.
func parseInetSetroute(add bool, args []string) (*setRoute, string, int) {
	usage := func(msg string) (*setRoute, string, int) { return nil, msg + inetRouteUsage, exitOptErr }
	sr := &setRoute{add: add}
	rt := &sr.rt
	xflag := 0
	if len(args) > 0 && args[0] == "#net" {
		xflag, args = 1, args[1:]
	} else if len(args) > 0 && args[0] == "#host" {
		xflag, args = 2, args[1:]
	}
	if len(args) == 0 {
		return usage("")
	}
	target := args[0]
	args = args[1:]
	netmask := "default"
	if addr, prefix, ok := strings.Cut(target, "/"); ok {
		var n uint64
		if prefix != "" {
			var rest string
			var ok bool
			if n, rest, ok = cnum.Strtoul(prefix); !ok || rest != "" {
				return usage("")
			}
		}
		target = addr
		netmask = fmt.Sprintf("/%d", int32(n))
		// ~(0xffffffff >> prefix), with x86's shift count of 5 bits.
		rt.genmask = sockaddr4(^(uint32(0xffffffff) >> (n & 31)))
	}
	isNet, msg, code := inetResolve(target, &rt.dst)
	if code != 0 {
		return nil, msg, code
	}
	switch xflag {
	case 1:
		isNet = true
	case 2:
		isNet = false
	}
	rt.flags = rtfUp | rtfHost
	if isNet {
		rt.flags &^= rtfHost
	}
	for len(args) > 0 {
		word := args[0]
		args = args[1:]
		next := func() (string, bool) {
			if len(args) == 0 {
				return "", false
			}
			v := args[0]
			args = args[1:]
			return v, true
		}
		switch word {
		case "metric":
			v, ok := next()
			if !ok || v == "" || v[0] < '0' || v[0] > '9' {
				return usage("")
			}
			rt.metric = int16(atoi(v) + 1)
		case "netmask":
			v, ok := next()
			if !ok || addrOf(rt.genmask) != 0 {
				return usage("")
			}
			netmask = v
			var m unix.RawSockaddrInet4
			if _, msg, code := inetResolve(v, &m); code != 0 {
				return nil, msg, code
			}
			rt.genmask = m
		case "gw", "gateway":
			v, ok := next()
			if !ok || rt.flags&rtfGateway != 0 {
				return usage("")
			}
			isNet, msg, code := inetResolve(v, &rt.gateway)
			if code != 0 {
				return nil, msg, code
			}
			if isNet {
				return usage("route: " + v + ": cannot use a NETWORK as gateway!\n")
			}
			rt.flags |= rtfGateway
		case "mss", "mtu":
			v, ok := next()
			rt.flags |= rtfMSS
			if !ok {
				return usage("")
			}
			mss := atoi(v)
			rt.mtu = uint64(int64(mss))
			if mss < 64 || mss > 65536 {
				return usage("route: Invalid MSS/MTU.\n")
			}
		case "window":
			v, ok := next()
			if !ok {
				return usage("")
			}
			rt.flags |= rtfWindow
			w := atoi(v)
			rt.window = uint64(int64(w))
			if w < 128 {
				return usage("route: Invalid window.\n")
			}
		case "irtt":
			v, ok := next()
			if !ok {
				return usage("")
			}
			rt.flags |= rtfIRTT
			rt.irtt = uint16(atoi(v)) // times clk_tck/100, which is 1
		case "reject":
			rt.flags |= rtfReject
		case "mod":
			rt.flags |= rtfModified
		case "dyn":
			rt.flags |= rtfDynamic
		case "reinstate":
			rt.flags |= rtfReinstate
		case "device", "dev":
			v, ok := next()
			if sr.dev != "" || !ok {
				return usage("")
			}
			sr.dev = v
		default:
			if sr.dev != "" {
				return usage("")
			}
			sr.dev = word
			if len(args) > 0 {
				return usage("") // must be last to catch typos
			}
		}
	}
	if rt.flags&rtfReject != 0 && sr.dev == "" {
		sr.dev = "lo"
	}
	if m := addrOf(rt.genmask); m != 0 {
		host := ^m
		if rt.flags&rtfHost != 0 && host != 0xffffffff {
			return usage(fmt.Sprintf("route: netmask %.8x doesn't make sense with host route\n", host))
		}
		if host&(host+1) != 0 {
			return usage("route: bogus netmask " + netmask + "\n")
		}
		if addrOf(rt.dst)&^m != 0 {
			return usage("route: netmask doesn't match route address\n")
		}
	}
	if add && rt.flags&rtfHost != 0 {
		rt.genmask = sockaddr4(0xffffffff)
	}
	return sr, "", 0
}

// inetResolve is INET_resolve for what a scenario can name without a
// resolver: "default" (a network, 0.0.0.0) and dotted quads in inet_aton's
// forms. Other names would need /etc/hosts, DNS or /etc/networks.
func inetResolve(name string, sa *unix.RawSockaddrInet4) (isNet bool, msg string, code int) {
	sa.Family = unix.AF_INET
	if name == "default" {
		sa.Addr = [4]byte{}
		return true, "", 0
	}
	if a, ok := inetAton(name); ok {
		sa.Addr = a
		return false, "", 0
	}
	if !hostnameOK(name) {
		// glibc's resolver refuses such a name (res_hnok) without asking.
		return false, name + ": Unknown host\n", exitLookup
	}
	return false, "route: looking up the name \"" + name + "\" is not implemented by netscript: give an address\n", exitLookup
}

// hostnameOK is what a host name may be made of for the resolver to look
// it up: letters, digits, '-', '_' and dots.
func hostnameOK(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// inetAton is glibc's inet_aton: one to four parts, each decimal, 0x hex
// or 0 octal; the last part fills the remaining bytes.
func inetAton(s string) ([4]byte, bool) {
	var parts []uint64
	for {
		n, rest, ok := cnum.Strtoul(s)
		if !ok || s == "" || s[0] == '+' || s[0] == '-' || s[0] == ' ' {
			return [4]byte{}, false
		}
		parts = append(parts, n)
		if rest == "" {
			break
		}
		if rest[0] != '.' || len(parts) == 4 {
			return [4]byte{}, false
		}
		s = rest[1:]
	}
	var v uint64
	limits := []uint64{0xffffffff, 0xffffff, 0xffff, 0xff}
	last := parts[len(parts)-1]
	if last > limits[len(parts)-1] {
		return [4]byte{}, false
	}
	for i, p := range parts[:len(parts)-1] {
		if p > 0xff {
			return [4]byte{}, false
		}
		v |= p << (24 - 8*i)
	}
	v |= last
	return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}, true
}

// atoi is C's atoi: leading white space, a sign, then digits.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1<<40 {
			break
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return int(int32(n))
}

func sockaddr4(mask uint32) unix.RawSockaddrInet4 {
	return unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: [4]byte{byte(mask >> 24), byte(mask >> 16), byte(mask >> 8), byte(mask)}}
}

func addrOf(sa unix.RawSockaddrInet4) uint32 {
	return uint32(sa.Addr[0])<<24 | uint32(sa.Addr[1])<<16 | uint32(sa.Addr[2])<<8 | uint32(sa.Addr[3])
}

// run sends the ioctl from a thread inside the command's namespace.
func (sr *setRoute) run(s *script.State) error {
	rt := sr.rt
	var dev []byte
	if sr.dev != "" {
		dev = append([]byte(sr.dev), 0)
		rt.dev = &dev[0]
	}
	req, name := uintptr(unix.SIOCADDRT), "SIOCADDRT"
	if !sr.add {
		req, name = unix.SIOCDELRT, "SIOCDELRT"
	}
	return s.NS.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return s.Fail(exitSock, "socket: %s", script.ErrorText(err))
		}
		defer unix.Close(fd)
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&rt))); errno != 0 {
			return s.Fail(exitSock, "%s: %s", name, script.ErrorText(errno))
		}
		return nil
	})
}
