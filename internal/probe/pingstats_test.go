package probe

import (
	"context"
	"io"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

// TestLinger checks iputils' __schedule_exit rule, which decides how long
// ping waits for replies after its last request. Its outcome depends on
// how many replies came before that request went out, a race with the
// network, so the differential tests cannot pin it down for -c N -i 0 with
// N > 1: it is checked here, on the state it reads.
func TestLinger(t *testing.T) {
	for _, c := range []struct {
		name     string
		received int64
		tmax     int64 // microseconds
		interval int   // milliseconds
		linger   int   // -W, milliseconds
		wait     time.Duration
		forever  bool
	}{
		{name: "no reply yet: -W", linger: 10000, interval: 1000, wait: 10 * time.Second},
		{name: "no reply yet, -i 0: -W", linger: 200, wait: 200 * time.Millisecond},
		{name: "no reply, -W 0: for ever", linger: 0, interval: 1000, forever: true},
		{name: "replies: twice the slowest", received: 2, tmax: 3000, interval: 1, linger: 10000, wait: 6 * time.Millisecond},
		{name: "replies: at least the interval", received: 1, tmax: 50, interval: 1000, linger: 10000, wait: time.Second},
		{name: "replies, -i 0: twice the slowest, however short", received: 1, tmax: 40, linger: 10000, wait: 80 * time.Microsecond},
		{name: "replies, -i 0, no time measured: for ever", received: 1, linger: 10000, forever: true},
		{name: "replies, negative interval: for ever", received: 1, tmax: 40, interval: -1, linger: 10000, forever: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ss := &session{o: &pingOpts{interval: c.interval, linger: c.linger}, nreceived: c.received, tmax: c.tmax}
			wait, ok := ss.lingerLocked()
			if ok == c.forever || (ok && wait != c.wait) {
				t.Errorf("linger = %v, %v; want %v, %v", wait, ok, c.wait, !c.forever)
			}
		})
	}
}

// TestLingerHoldsForArrivedReplies checks that the end of the wait for
// the last replies waits while a reply that has arrived is not yet
// counted, and no longer than the grace.
func TestLingerHoldsForArrivedReplies(t *testing.T) {
	tests := []struct {
		name    string
		watcher bool // the session has a watching socket

		pending bool          // a reply is pending when the wait ends
		grace   time.Duration // the bound of the hold
		release bool          // the reply is counted after a while
	}{
		{name: "no watcher"},
		{name: "nothing pending", watcher: true},
		{name: "pending, then counted", watcher: true, pending: true, grace: time.Hour, release: true},
		{name: "pending for ever", watcher: true, pending: true, grace: 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pending atomic.Bool
			pending.Store(tt.pending)
			ss := newSession(context.Background(), &pingOpts{count: 1}, netip.Addr{}, io.Discard)
			if tt.watcher {
				ss.pending = func(int) int {
					if pending.Load() {
						return 1
					}
					return 0
				}
			}
			ss.grace = tt.grace
			done := make(chan struct{})
			go func() { ss.lingerOver(); close(done) }()
			if tt.release {
				// Held: the run goes on while the reply is pending.
				select {
				case <-ss.ctx.Done():
					t.Fatal("the run ended while an arrived reply was not counted")
				case <-time.After(20 * time.Millisecond):
				}
				pending.Store(false)
			}
			select {
			case <-ss.ctx.Done():
			case <-time.After(time.Minute):
				t.Fatal("the run did not end")
			}
			<-done
		})
	}
}
