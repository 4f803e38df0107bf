package script

import (
	"errors"
	"strconv"
	"time"
)

// MaxTimeout is the longest TIMEOUT a command accepts.
const MaxTimeout = time.Hour

// ParseTimeout reads the TIMEOUT of command cmd: a Go duration ("500ms",
// "2s") or a number of seconds as ping takes it ("1.5"), more than 0 and at
// most MaxTimeout. A bad value is an ExitError with status code.
func ParseTimeout(cmd, v string, code int) (time.Duration, error) {
	outOfRange := Errorf(code, "%s: bad TIMEOUT %q: want more than 0 and at most 1h", cmd, v)
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil && !errors.Is(ferr, strconv.ErrRange) {
			return 0, Errorf(code, "%s: bad TIMEOUT %q: want a duration such as 500ms or 2s", cmd, v)
		}
		// Compared as seconds: converting 1e300 or NaN to a Duration
		// would not give a number to compare.
		if !(secs > 0 && secs <= MaxTimeout.Seconds()) {
			return 0, outOfRange
		}
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 || d > MaxTimeout {
		return 0, outOfRange
	}
	return d, nil
}
