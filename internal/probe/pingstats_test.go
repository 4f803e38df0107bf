package probe

import (
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
