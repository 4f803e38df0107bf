package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"

	probing "github.com/prometheus-community/pro-bing"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/script"
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
// namespace. It follows iputils' ping4_run: choose the source, print the
// header, then send and receive until an exit rule is met.
func (o *pingOpts) runHere(ctx context.Context, s *script.State) error {
	q, err := openErrQueue()
	if err != nil {
		return failWith(s, err)
	}
	defer q.stop()

	src, err := o.pickSource(s, q)
	if err != nil {
		return failWith(s, err)
	}
	if len(o.hops) > 1 {
		// iputils sets a loose source route option, which the kernel
		// refuses once ping has dropped its capabilities.
		return s.Fail(exitError, "ping: record route: %s", strerror(unix.EPERM))
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
	if _, err := io.WriteString(s.Stdout, header); err != nil {
		return err
	}

	ss := newSession(ctx, o, target, s.Stdout)
	p := o.newPinger(ss, target, src, q)
	if err := q.start(target, p.ID(), func(e queuedError) { ss.icmpError(e.seq, e.from, e.text) }); err != nil {
		return err
	}
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
		return s.Fail(exitError, "ping: %v", runErr)
	}
	if code := ss.finish(); code != 0 {
		return &script.ExitError{Code: code}
	}
	return nil
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
			return src, &callError{call: "socket", err: err}
		}
		defer unix.Close(fd)
		if o.device != "" {
			if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, o.device); err != nil {
				return src, &callError{call: "SO_BINDTODEVICE " + o.device, err: err}
			}
			if err := q.bindToDevice(o.device); err != nil {
				return src, err
			}
		}
		if err := unix.Connect(fd, &unix.SockaddrInet4{Port: 1025, Addr: o.hops[0].As4()}); err != nil {
			if errors.Is(err, unix.EACCES) {
				return src, &callError{msg: "Do you want to ping broadcast? Then -b. If not, check your local firewall rules"}
			}
			return src, &callError{call: "connect", err: err}
		}
		sa, err := unix.Getsockname(fd)
		if err != nil {
			return src, &callError{call: "getsockname", err: err}
		}
		in4, ok := sa.(*unix.SockaddrInet4)
		if !ok {
			return src, fmt.Errorf("getsockname: unexpected address %T", sa)
		}
		src = netip.AddrFrom4(in4.Addr)
		if o.device != "" && !deviceHas(o.device, src) {
			fmt.Fprintf(s.Stderr, "ping: Warning: source address might be selected on device other than: %s\n", o.device)
		}
	} else if o.device != "" {
		if err := q.bindToDevice(o.device); err != nil {
			return src, err
		}
	}
	if o.strictSource {
		if err := q.bind(src); err != nil {
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
func (o *pingOpts) newPinger(ss *session, target, src netip.Addr, q *errQueue) *probing.Pinger {
	p := probing.New(target.String())
	p.SetPrivileged(true)
	p.SetNetwork("ip4")
	p.SetIPAddr(&net.IPAddr{IP: net.IP(target.AsSlice())})
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
	if o.strictSource {
		p.Source = src.String()
	}
	p.InterfaceName = o.device
	p.OnSetup = ss.begin
	p.OnSend = func(pkt *probing.Packet) { ss.sent(pkt.Seq) }
	p.OnSendError = func(pkt *probing.Packet, _ error) { ss.sendError(pkt.Seq) }
	ttl := func(pkt *probing.Packet) int {
		t, ok := q.ttl(pkt.Seq)
		if pkt.TTL > 0 || !ok {
			return pkt.TTL
		}
		return t
	}
	p.OnRecv = func(pkt *probing.Packet) {
		ss.reply(pkt.Seq, pkt.Nbytes, addrOf(pkt.IPAddr), ttl(pkt), pkt.Rtt, false)
	}
	p.OnDuplicateRecv = func(pkt *probing.Packet) {
		ss.reply(pkt.Seq, pkt.Nbytes, addrOf(pkt.IPAddr), ttl(pkt), pkt.Rtt, true)
	}
	return p
}

// addrOf converts a reply's source address.
func addrOf(a *net.IPAddr) netip.Addr {
	if a == nil {
		return netip.Addr{}
	}
	addr, _ := netip.AddrFromSlice(a.IP)
	return addr.Unmap()
}
