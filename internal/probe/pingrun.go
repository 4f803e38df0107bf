package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"strconv"
	"time"

	probing "github.com/prometheus-community/pro-bing"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// run is ping's action: everything happens on a thread inside s.NS, so
// every socket belongs to the scenario's namespace and nothing can reach
// the host's network.
func (o *pingOpts) run(s *script.State) error {
	for _, w := range o.warnings {
		fmt.Fprintln(s.Stderr, w)
	}
	if o.version {
		_, err := io.WriteString(s.Stdout, versionText)
		return err
	}
	ctx := s.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if s.NS == nil {
		return errors.New("ping: no namespace to run in")
	}
	var result error
	if err := s.NS.Do(func() error {
		result = o.runHere(ctx, s)
		return nil
	}); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return result
}

// runHere does ping's work on the calling thread, which is inside the
// namespace. It follows iputils' ping4_run or ping6_run: choose the source,
// print the header, then send and receive until an exit rule is met.
func (o *pingOpts) runHere(ctx context.Context, s *script.State) error {
	var st *setup
	var err error
	if o.target().Is6() {
		st, err = o.setup6(s)
	} else {
		st, err = o.setup4(s)
	}
	if st != nil {
		defer st.q.stop()
	}
	if err != nil {
		return failWith(s, err)
	}
	if _, err := io.WriteString(s.Stdout, st.header); err != nil {
		return err
	}
	// iputils' setup(), after the header: an interval its timers cannot
	// hold (INT_MAX / preload; netscript has no -l, so preload is 1).
	if o.interval >= math.MaxInt32 {
		return s.Fail(exitError, "%s: illegal preload and/or interval: %d", o.prog, o.interval)
	}

	ss := newSession(ctx, o, st.target, s.Stdout)
	ss.checkSource = st.checkSource
	p := o.newPinger(ss, st)
	q := st.q
	if err := q.start(st.target, p.ID(), func(e queuedError) {
		ss.icmpError(e.seq, st.withScope(e.from, e.scope), e.text)
	}); err != nil {
		return err
	}
	ss.pending = q.pending
	runErr := p.RunWithContext(ss.ctx)
	if runErr != nil && ss.sendFailed() {
		// The first request could not be sent, so pro-bing gave up.
		// iputils goes on counting requests it cannot send, silently.
		ss.keepFailing(o.sendInterval())
		runErr = nil
	}
	q.stop()
	ss.release()
	if runErr != nil && !errors.Is(runErr, context.Canceled) && !errors.Is(runErr, context.DeadlineExceeded) {
		return s.Fail(exitError, "%s: %v", o.prog, runErr)
	}
	if code := ss.finish(); code != 0 {
		return &script.ExitError{Code: code}
	}
	return nil
}

// setup is what ping knows once its sockets are ready: where requests go
// and leave from, the header to print, and the watching socket.
type setup struct {
	q           *errQueue
	target      netip.Addr // where requests go; for IPv6 without its zone
	targetScope uint32     // the interface index of an IPv6 target's scope, or 0
	src         netip.Addr // the source ping reports (and binds with -I ADDRESS)
	srcScope    uint32     // the interface index of an IPv6 link-local source, or 0
	header      string
	checkSource bool           // replies from another address are marked (DIFFERENT ADDRESS!)
	names       map[int]string // interface names by index, for IPv6 scopes
}

// withScope returns addr with the name of the interface of its scope as
// its zone, as getnameinfo(3) prints a link-local address: "fe80::2%veth0".
func (st *setup) withScope(addr netip.Addr, scope uint32) netip.Addr {
	if !addr.Is6() || scope == 0 {
		return addr
	}
	if !addr.IsLinkLocalUnicast() && !addr.IsLinkLocalMulticast() {
		return addr.WithZone(strconv.FormatUint(uint64(scope), 10))
	}
	if name, ok := st.names[int(scope)]; ok {
		return addr.WithZone(name)
	}
	return addr.WithZone(strconv.FormatUint(uint64(scope), 10))
}

// setup4 is ping4_run up to the header.
func (o *pingOpts) setup4(s *script.State) (*setup, error) {
	q, err := openErrQueue(o.prog)
	if err != nil {
		return nil, err
	}
	st := &setup{q: q, checkSource: true}
	src, err := o.pickSource(s, q)
	if err != nil {
		return st, err
	}
	if len(o.hops) > 1 {
		// iputils sets a loose source route option, which the kernel
		// refuses once ping has dropped its capabilities.
		return st, &callError{prog: o.prog, call: "record route", err: unix.EPERM}
	}
	target := o.target()
	if target == netip.IPv4Unspecified() {
		target = src // iputils pings its own source address
	}
	header := fmt.Sprintf("PING %s (%s) ", o.hostname, target)
	if o.device != "" || o.strictSource {
		header += fmt.Sprintf("from %s %s: ", src, o.device)
	}
	header += fmt.Sprintf("%d(%d) bytes of data.\n", dataLen, dataLen+8+20)
	st.target, st.src, st.header = target, src, header
	return st, nil
}

// failWith prints err, a *callError with iputils' message or an internal
// error, and returns the matching failure.
func failWith(s *script.State, err error) error {
	var ce *callError
	if errors.As(err, &ce) {
		return s.Fail(exitError, "%s", ce.Error())
	}
	return fmt.Errorf("ping: %w", err)
}

// pickSource finds the address requests leave from as iputils does: with
// no -I ADDRESS, by connecting a UDP socket to the first hop (which fails
// with "connect: Network is unreachable" when no route leads there). With
// -I NAME both that socket and q are bound to the device first.
func (o *pingOpts) pickSource(s *script.State, q *errQueue) (netip.Addr, error) {
	src := o.source
	if !src.IsValid() {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return src, &callError{prog: o.prog, call: "socket", err: err}
		}
		defer unix.Close(fd)
		if o.device != "" {
			if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, o.device); err != nil {
				return src, &callError{prog: o.prog, call: "SO_BINDTODEVICE " + o.device, err: err}
			}
			if err := q.bindToDevice("SO_BINDTODEVICE", o.device); err != nil {
				return src, err
			}
		}
		if err := unix.Connect(fd, &unix.SockaddrInet4{Port: 1025, Addr: o.hops[0].As4()}); err != nil {
			if errors.Is(err, unix.EACCES) {
				return src, &callError{prog: o.prog, msg: "Do you want to ping broadcast? Then -b. If not, check your local firewall rules"}
			}
			return src, &callError{prog: o.prog, call: "connect", err: err}
		}
		sa, err := unix.Getsockname(fd)
		if err != nil {
			return src, &callError{prog: o.prog, call: "getsockname", err: err}
		}
		in4, ok := sa.(*unix.SockaddrInet4)
		if !ok {
			return src, fmt.Errorf("getsockname: unexpected address %T", sa)
		}
		src = netip.AddrFrom4(in4.Addr)
		if o.device != "" && !deviceHas(o.device, src) {
			fmt.Fprintf(s.Stderr, "%s: Warning: source address might be selected on device other than: %s\n", o.prog, o.device)
		}
	} else if o.device != "" {
		if err := q.bindToDevice("SO_BINDTODEVICE", o.device); err != nil {
			return src, err
		}
	}
	if o.strictSource {
		if err := q.bind("bind", src, 0); err != nil {
			return src, err
		}
	}
	return src, nil
}

// deviceHas reports whether the device holds addr, the check iputils makes
// with getifaddrs(3). It runs in the calling thread's namespace.
func deviceHas(dev string, addr netip.Addr) bool {
	ifi, err := net.InterfaceByName(dev)
	if err != nil {
		return false
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			if got, ok := netip.AddrFromSlice(ipn.IP); ok && got.Unmap() == addr {
				return true
			}
		}
	}
	return false
}

// sendInterval is the pace pro-bing sends at: -i, or iputils' shortest
// gap for -i 0 and below, which iputils floods at.
func (o *pingOpts) sendInterval() time.Duration {
	if o.interval <= 0 {
		return minInterval * time.Millisecond
	}
	return time.Duration(o.interval) * time.Millisecond
}

// newPinger sets up pro-bing's privileged (raw socket) pinger with
// iputils' packet size, and connects its events to the session.
func (o *pingOpts) newPinger(ss *session, st *setup) *probing.Pinger {
	target, q := st.target, st.q
	p := probing.New(target.String())
	p.SetPrivileged(true)
	dst := &net.IPAddr{IP: net.IP(target.AsSlice())}
	if target.Is6() {
		p.SetNetwork("ip6")
		if st.targetScope != 0 {
			// A numeric zone: the net package would look a name up
			// in whatever namespace its cache was filled from.
			dst.Zone = strconv.FormatUint(uint64(st.targetScope), 10)
		}
	} else {
		p.SetNetwork("ip4")
	}
	p.SetIPAddr(dst)
	p.SetLogger(probing.NoopLogger{})
	p.Size = dataLen
	p.Interval = o.sendInterval()
	p.RecordRtts = false
	p.RecordTTLs = false
	p.Count = -1
	if o.count > 0 && o.deadline == 0 {
		// With -w, iputils goes on sending until COUNT replies came.
		p.Count = int(min(o.count, int64(^uint(0)>>1)))
	}
	if o.strictSource && st.srcScope == 0 {
		// pro-bing cannot bind to a scoped (link-local) source: then
		// the interface (-I ADDRESS%DEVICE) chooses it.
		p.Source = st.src.String()
	}
	p.InterfaceName = o.device
	p.OnSetup = ss.begin
	p.OnSend = func(pkt *probing.Packet) { ss.sent(pkt.Seq) }
	p.OnSendError = func(pkt *probing.Packet, _ error) { ss.sendError(pkt.Seq) }
	// from and ttl complete what pro-bing reports with what the watching
	// socket saw of the same reply: the scope of an IPv6 source (pro-bing
	// names it in no particular namespace), and a TTL pro-bing lost.
	from := func(pkt *probing.Packet) (netip.Addr, int) {
		addr := addrOf(pkt.IPAddr, target.Is4())
		info, ok := q.reply(pkt.Seq, addr)
		ttl := pkt.TTL
		if ttl <= 0 && ok {
			ttl = info.ttl
		}
		if ok {
			addr = st.withScope(addr, info.scope)
		}
		return addr, ttl
	}
	p.OnRecv = func(pkt *probing.Packet) {
		defer q.handled()
		addr, ttl := from(pkt)
		ss.reply(pkt.Seq, pkt.Nbytes, addr, ttl, pkt.Rtt, false)
	}
	p.OnDuplicateRecv = func(pkt *probing.Packet) {
		defer q.handled()
		addr, ttl := from(pkt)
		ss.reply(pkt.Seq, pkt.Nbytes, addr, ttl, pkt.Rtt, true)
	}
	return p
}

// addrOf converts a reply's source address, without its zone; an IPv4 one
// (v4) unmapped.
func addrOf(a *net.IPAddr, v4 bool) netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	addr, _ := netip.AddrFromSlice(a.IP)
	if v4 {
		return addr.Unmap()
	}
	return addr
}
