package script

import (
	"testing"
	"time"
)

func TestParseTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"500ms", 500 * time.Millisecond, ""},
		{"2s", 2 * time.Second, ""},
		{"1.5", 1500 * time.Millisecond, ""},
		{"1h", time.Hour, ""},
		{"soon", 0, `cmd: bad TIMEOUT "soon": want a duration such as 500ms or 2s`},
		{"0", 0, `cmd: bad TIMEOUT "0": want more than 0 and at most 1h`},
		{"-1s", 0, `cmd: bad TIMEOUT "-1s": want more than 0 and at most 1h`},
		{"61m", 0, `cmd: bad TIMEOUT "61m": want more than 0 and at most 1h`},
		{"1e300", 0, `cmd: bad TIMEOUT "1e300": want more than 0 and at most 1h`},
		{"1e999", 0, `cmd: bad TIMEOUT "1e999": want more than 0 and at most 1h`},
		{"NaN", 0, `cmd: bad TIMEOUT "NaN": want more than 0 and at most 1h`},
	} {
		got, err := ParseTimeout("cmd", tc.in, 3)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseTimeout(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		e, ok := err.(*ExitError)
		if !ok || e.Msg != tc.err || e.Code != 3 {
			t.Errorf("ParseTimeout(%q) error = %v (status %d); want %q (status 3)", tc.in, err, ExitCode(err), tc.err)
		}
	}
}
