package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressLine checks the live line a terminal sees: the count done,
// and each running scenario with how long it has run.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	clock := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	r := &textReporter{w: &b, tty: true, total: 3, running: make(map[string]time.Time),
		now: func() time.Time { return clock }}
	r.started("mesh4")
	clock = clock.Add(2 * time.Second)
	r.started("bridge")
	r.ended(&result{name: "bridge", status: passed, elapsed: 1500 * time.Millisecond})
	for _, want := range []string{
		"\r\033[K[0/3] running mesh4 (0s)",
		"\r\033[K[0/3] running bridge (0s), mesh4 (2s)",
		"\r\033[K--- PASS: bridge (1.50s)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("progress output lacks %q; got %q", want, b.String())
		}
	}
	r.mu.Lock()
	r.progress()
	r.mu.Unlock()
	if got := b.String(); !strings.HasSuffix(got, "\r\033[K[1/3] running mesh4 (2s)") {
		t.Errorf("after bridge ended, the line ends %q", got[max(0, len(got)-40):])
	}
}
