package probe

import (
	"strings"
	"testing"
)

func TestUnbounded(t *testing.T) {
	for _, tt := range []struct {
		prog, args string
		want       bool
	}{
		{"ping", "10.0.0.1", true},
		{"ping", "-q -i 0.2 10.0.0.1", true},
		{"ping6", "fd00::1", true},
		{"ping", "-c 1 10.0.0.1", false},
		{"ping", "-qc3 10.0.0.1", false},
		{"ping", "10.0.0.1 -w 2", false},
		{"ping", "-V", false},
		{"ping", "-c x 10.0.0.1", false}, // a usage error: ping exits at once
		{"ping", "", false},
	} {
		if got := Unbounded(tt.prog, strings.Fields(tt.args)); got != tt.want {
			t.Errorf("Unbounded(%q, %q) = %v; want %v", tt.prog, tt.args, got, tt.want)
		}
	}
}
