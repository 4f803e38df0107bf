package probe

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/netscript/netscript/internal/cnum"
)

// session is one run of ping: iputils' counters and exit rules, fed with
// events by the sender and the receivers. Its methods are safe for
// concurrent use; output is written under the same lock, so lines never
// interleave.
type session struct {
	o           *pingOpts
	out         io.Writer
	target      netip.Addr
	checkSource bool // mark replies from another address than target
	// pending, when set, returns how many replies have reached the
	// namespace that the receiver has not counted yet, leaving out those
	// to request except (-1 for none).
	pending func(except int) int
	grace   time.Duration // lingerGrace when 0 (tests change it)

	ctx    context.Context // done when the run must end
	cancel context.CancelFunc

	mu       sync.Mutex
	stopped  bool // no event counts after the end was decided
	start    time.Time
	cur      time.Time // when the last request was sent: iputils' cur_time
	timers   []*time.Timer
	lingerOn bool // the wait for the last replies has been scheduled
	okSends  int  // requests pro-bing sent
	badSends int  // requests whose sending failed

	ntransmitted int64
	nreceived    int64
	nrepeats     int64
	nerrors      int64
	tmin, tmax   int64   // microseconds
	tsum, tsum2  float64 // microseconds, as iputils sums them (doubles)
	rtt          int     // exponentially weighted average, scaled by 8
	acked        uint16
	pipesize     int
	seqOf        map[int]uint16 // pro-bing's sequence number -> iputils' icmp_seq
}

// newSession starts the clock of a run to target that ends when parent is
// done, when the -w deadline passes, or when the exit rules say so.
func newSession(parent context.Context, o *pingOpts, target netip.Addr, out io.Writer) *session {
	ctx, cancel := context.WithCancel(parent)
	ss := &session{
		o: o, out: out, target: target,
		ctx: ctx, cancel: cancel,
		start: time.Now(), tmin: math.MaxInt64, pipesize: -1,
		seqOf: make(map[int]uint16),
	}
	context.AfterFunc(ctx, func() {
		ss.mu.Lock()
		ss.stopped = true
		ss.mu.Unlock()
	})
	if o.deadline > 0 {
		ss.timers = append(ss.timers, time.AfterFunc(time.Duration(o.deadline)*time.Second, cancel))
	}
	return ss
}

// stopLocked ends the run; ss.mu is held.
func (ss *session) stopLocked() {
	ss.stopped = true
	ss.cancel()
}

// release stops the timers; call it once the senders and receivers are done.
func (ss *session) release() {
	ss.cancel()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.stopped = true
	for _, t := range ss.timers {
		t.Stop()
	}
}

// begin restarts the clock when the socket is ready, as iputils' setup().
func (ss *session) begin() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.start = time.Now()
}

// sent records a request sent. seq is pro-bing's sequence number.
func (ss *session) sent(seq int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.okSends++
	ss.transmitLocked(seq)
}

// sendError records a request whose sending failed: iputils counts it as
// transmitted, and prints nothing unless an ICMP error explains it.
func (ss *session) sendError(seq int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.badSends++
	ss.transmitLocked(seq)
}

// sendFailed reports whether a send failed and none succeeded.
func (ss *session) sendFailed() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.badSends > 0 && ss.okSends == 0
}

// keepFailing goes on counting requests that cannot be sent, one per
// interval, until the run ends: what iputils does when sendmsg fails.
func (ss *session) keepFailing(interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ss.ctx.Done():
			return
		case <-t.C:
			ss.sendError(-1)
		}
	}
}

// transmitLocked counts a request as iputils' pinger() does; ss.mu is held.
func (ss *session) transmitLocked(seq int) {
	o := ss.o
	if ss.stopped || (o.count > 0 && o.deadline == 0 && ss.ntransmitted >= o.count) {
		return
	}
	if o.count > 0 && o.deadline > 0 && ss.pending != nil && ss.nreceived+ss.nerrors+int64(ss.pending(seq)) >= o.count {
		// With -w, iputils sends until COUNT replies came; it reads
		// the replies that arrived before it sends again, and would
		// have ended. pro-bing's reader lags behind under load: this
		// request (sent already: its own reply may be in) is not one
		// iputils sends, and the run ends when the session counts
		// the earlier replies.
		return
	}
	ss.ntransmitted++
	if uint16(ss.ntransmitted)-ss.acked > 0x7fff {
		ss.acked = uint16(ss.ntransmitted) + 1
	}
	ss.cur = time.Now()
	ss.seqOf[seq] = uint16(ss.ntransmitted)
	if o.count > 0 && ss.ntransmitted >= o.count && o.deadline == 0 && !ss.lingerOn {
		ss.lingerOn = true
		if wait, ok := ss.lingerLocked(); ok {
			ss.timers = append(ss.timers, time.AfterFunc(wait, ss.lingerOver))
		}
	}
}

// lingerGrace bounds how long lingerOver waits for the receiver to handle
// replies that had arrived when the wait for the last replies ended.
const lingerGrace = time.Second

// lingerOver ends the run when the wait for the last replies is over.
// iputils counts a reply that reached the host before then: its blocked
// read returns the reply before it sees the timer's signal. Under load,
// pro-bing's reader can lag behind the timer, so a reply that has arrived
// but is not yet handled holds the end back, for at most lingerGrace,
// until the receiver has counted it (the last reply ends the run then).
func (ss *session) lingerOver() {
	arrived := func() bool { return ss.pending != nil && ss.pending(-1) > 0 }
	if !arrived() {
		ss.cancel()
		return
	}
	grace := time.NewTimer(cmp.Or(ss.grace, lingerGrace))
	defer grace.Stop()
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	for {
		select {
		case <-ss.ctx.Done():
			return
		case <-grace.C:
			ss.cancel()
			return
		case <-poll.C:
			if !arrived() {
				ss.cancel()
				return
			}
		}
	}
}

// lingerLocked is iputils' __schedule_exit: how long to wait for replies
// after the last request. ok is false when iputils would wait for ever
// (its timer is disarmed by a zero time, or overflows).
func (ss *session) lingerLocked() (wait time.Duration, ok bool) {
	var us int64
	if ss.nreceived > 0 {
		if ss.o.interval < 0 {
			return 0, false // 1000*interval is a huge unsigned number in iputils
		}
		us = max(2*ss.tmax, 1000*int64(ss.o.interval))
	} else {
		us = int64(ss.o.linger) * 1000
	}
	if us == 0 {
		return 0, false
	}
	return time.Duration(us) * time.Microsecond, true
}

// acknowledgeLocked is iputils' acknowledge(): it tracks the number of
// requests in flight, reported as "pipe N".
func (ss *session) acknowledgeLocked(seq uint16) {
	diff := uint16(ss.ntransmitted) - seq
	if diff <= 0x7fff {
		if int(diff)+1 > ss.pipesize {
			ss.pipesize = int(diff) + 1
		}
		if int16(seq-ss.acked) > 0 || uint16(ss.ntransmitted)-ss.acked > 0x7fff {
			ss.acked = seq
		}
	}
}

// reply records an echo reply: nbytes of ICMP message from from, with the
// reply's TTL (or -1) and its round trip. dup marks a repeated reply.
func (ss *session) reply(seq int, nbytes int, from netip.Addr, ttl int, rtt time.Duration, dup bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.stopped {
		return
	}
	icmpSeq, ok := ss.seqOf[seq]
	if !ok {
		return
	}
	ss.nreceived++
	ss.acknowledgeLocked(icmpSeq)
	trip := rtt.Microseconds()
	if trip < 0 {
		trip = 0
	}
	ss.tsum += float64(trip)
	ss.tsum2 += float64(trip * trip)
	ss.tmin = min(ss.tmin, trip)
	ss.tmax = max(ss.tmax, trip)
	if ss.rtt == 0 {
		ss.rtt = int(trip) * 8
	} else {
		ss.rtt += int(trip) - ss.rtt/8
	}
	if dup {
		ss.nrepeats++
		ss.nreceived--
	}
	if !ss.o.quiet {
		var b strings.Builder
		fmt.Fprintf(&b, "%d bytes from %s: icmp_seq=%d", nbytes, from, icmpSeq)
		if ttl >= 0 {
			fmt.Fprintf(&b, " ttl=%d", ttl)
		}
		if nbytes < dataLen+8 {
			b.WriteString(" (truncated)")
		} else {
			b.WriteString(" time=" + replyTime(trip) + " ms")
			if dup {
				b.WriteString(" (DUP!)")
			}
			if ss.checkSource && from.WithZone("") != ss.target.WithZone("") {
				b.WriteString(" (DIFFERENT ADDRESS!)")
			}
		}
		b.WriteString("\n")
		io.WriteString(ss.out, b.String())
	}
	if ss.o.count > 0 && ss.nreceived+ss.nerrors >= ss.o.count {
		ss.stopLocked()
	}
}

// replyTime formats a round trip in microseconds as iputils does: three
// decimals below 1 ms, fewer as the time grows.
func replyTime(us int64) string {
	switch {
	case us >= 100000-50:
		return fmt.Sprintf("%d", (us+500)/1000)
	case us >= 10000-5:
		return fmt.Sprintf("%d.%01d", (us+50)/1000, ((us+50)%1000)/100)
	case us >= 1000:
		return fmt.Sprintf("%d.%02d", (us+5)/1000, ((us+5)%1000)/10)
	}
	return fmt.Sprintf("%d.%03d", us/1000, us%1000)
}

// icmpError records an ICMP error about one of our requests, reported by
// from, with the text iputils prints for it.
func (ss *session) icmpError(seq int, from netip.Addr, text string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.stopped {
		return
	}
	icmpSeq, ok := ss.seqOf[seq]
	if !ok {
		return
	}
	ss.acknowledgeLocked(icmpSeq)
	ss.nerrors++
	if !ss.o.quiet {
		fmt.Fprintf(ss.out, "From %s icmp_seq=%d %s\n", from, icmpSeq, text)
	}
	if (ss.o.count > 0 && ss.nreceived+ss.nerrors >= ss.o.count) || ss.o.deadline > 0 {
		ss.stopLocked()
	}
}

// finish prints the statistics as iputils' finish() does and returns the
// exit status.
func (ss *session) finish() int {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var tv time.Duration
	if !ss.cur.IsZero() {
		tv = ss.cur.Sub(ss.start)
	}
	sec, nsec := int64(tv/time.Second), int64(tv%time.Second)

	var b strings.Builder
	fmt.Fprintf(&b, "\n--- %s ping statistics ---\n", ss.o.hostname)
	fmt.Fprintf(&b, "%d packets transmitted, %d received", ss.ntransmitted, ss.nreceived)
	if ss.nrepeats > 0 {
		fmt.Fprintf(&b, ", +%d duplicates", ss.nrepeats)
	}
	if ss.nerrors > 0 {
		fmt.Fprintf(&b, ", +%d errors", ss.nerrors)
	}
	if ss.ntransmitted > 0 {
		loss := float64(ss.ntransmitted-ss.nreceived) * 100.0 / float64(ss.ntransmitted)
		fmt.Fprintf(&b, ", %s%% packet loss, time %dms", cnum.FloatG(loss), 1000*sec+(nsec+500000)/1000000)
	}
	b.WriteString("\n")
	comma := ""
	if ss.nreceived > 0 {
		total := ss.nreceived + ss.nrepeats
		tmavg := int64(ss.tsum / float64(total))
		var tmvar int64
		if ss.tsum < math.MaxInt32 {
			tmvar = int64((ss.tsum2 - (ss.tsum*ss.tsum)/float64(total)) / float64(total))
		} else {
			tmvar = int64(ss.tsum2/float64(total) - float64(tmavg*tmavg))
		}
		tmdev := isqrt(tmvar)
		fmt.Fprintf(&b, "rtt min/avg/max/mdev = %d.%03d/%d.%03d/%d.%03d/%d.%03d ms",
			ss.tmin/1000, ss.tmin%1000, tmavg/1000, tmavg%1000,
			ss.tmax/1000, ss.tmax%1000, tmdev/1000, tmdev%1000)
		comma = ", "
	}
	if ss.pipesize > 1 {
		fmt.Fprintf(&b, "%spipe %d", comma, ss.pipesize)
		comma = ", "
	}
	if ss.nreceived > 0 && ss.o.interval == 0 && ss.ntransmitted > 1 {
		ipg := int((1000000*sec + nsec/1000) / (ss.ntransmitted - 1))
		fmt.Fprintf(&b, "%sipg/ewma %d.%03d/%d.%03d ms", comma, ipg/1000, ipg%1000, ss.rtt/8000, (ss.rtt/8)%1000)
	}
	b.WriteString("\n")
	io.WriteString(ss.out, b.String())

	if ss.nreceived == 0 || (ss.o.deadline > 0 && ss.nreceived < ss.o.count) {
		return exitNoReply
	}
	return 0
}

// isqrt is iputils' llsqrt: the integer square root by Newton's method.
func isqrt(a int64) int64 {
	prev, x := int64(math.MaxInt64), a
	if x > 0 {
		for x < prev {
			prev = x
			x = (x + a/x) / 2
		}
	}
	return x
}
