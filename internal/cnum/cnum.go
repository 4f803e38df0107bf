// Package cnum parses and formats numbers as the C library does, so that
// the imitated tools accept, reject and print the same words: strtol(3),
// strtoul(3) and strtod(3) in the C locale, glibc's inet_aton(3), and
// printf's %g.
package cnum

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// IsSpace reports whether r is a space for isspace(3) in the C locale.
func IsSpace(r rune) bool {
	return r == ' ' || (r >= '\t' && r <= '\r')
}

// Strtol parses s like strtol(s, &end, 10): leading spaces, an optional
// sign, decimal digits. It returns the value (clamped on overflow), the
// unparsed rest of s, and unix.ERANGE on overflow. When no digits are found
// the rest is s itself.
func Strtol(s string) (v int64, rest string, errno unix.Errno) {
	i := 0
	for i < len(s) && IsSpace(rune(s[i])) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var u uint64
	overflow := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if u > (math.MaxUint64-d)/10 {
			overflow = true
		} else {
			u = u*10 + d
		}
		i++
	}
	if i == start {
		return 0, s, 0
	}
	rest = s[i:]
	switch {
	case !neg && (overflow || u > math.MaxInt64):
		return math.MaxInt64, rest, unix.ERANGE
	case neg && (overflow || u > 1<<63):
		return math.MinInt64, rest, unix.ERANGE
	case neg:
		return -int64(u), rest, 0
	}
	return int64(u), rest, 0
}

// Strtod parses the longest prefix of s that strtod(3) accepts in the C
// locale: spaces, a sign, then "inf", "infinity", "nan", "nan(...)", a
// hexadecimal float or a decimal float. It returns the value, the unparsed
// rest (s itself when nothing was parsed) and unix.ERANGE on overflow or
// underflow, as glibc sets errno.
func Strtod(s string) (v float64, rest string, errno unix.Errno) {
	i := 0
	for i < len(s) && IsSpace(rune(s[i])) {
		i++
	}
	signStart := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	neg := signStart < i && s[signStart] == '-'
	body := s[i:]
	lower := strings.ToLower(body)
	switch {
	case strings.HasPrefix(lower, "infinity"):
		return signed(math.Inf(1), neg), body[len("infinity"):], 0
	case strings.HasPrefix(lower, "inf"):
		return signed(math.Inf(1), neg), body[len("inf"):], 0
	case strings.HasPrefix(lower, "nan"):
		n := len("nan")
		if j := strings.IndexByte(body[n:], ')'); len(body) > n && body[n] == '(' && j > 0 &&
			strings.IndexFunc(body[n+1:n+j], func(r rune) bool {
				return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
			}) < 0 {
			n += j + 1
		}
		return math.NaN(), body[n:], 0
	}
	hex := len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	if hex {
		isHex := func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
		n, digits := scanMantissa(body[2:], isHex)
		if digits == 0 {
			hex = false // "0x" alone: strtod reads the "0"
		} else {
			n += 2
			mant := body[:n]
			n += scanExponent(body[n:], 'p')
			text := body[:n]
			if len(text) == len(mant) {
				text += "p0"
			}
			return finishFloat(text, mant, neg, body[n:])
		}
	}
	n, digits := scanMantissa(body, isDigit)
	if digits == 0 {
		return 0, s, 0
	}
	mant := body[:n]
	n += scanExponent(body[n:], 'e')
	return finishFloat(body[:n], mant, neg, body[n:])
}

// scanMantissa returns the length of the digits[.digits] prefix of s and
// how many digits it holds.
func scanMantissa(s string, digit func(byte) bool) (n, digits int) {
	for n < len(s) && digit(s[n]) {
		n++
		digits++
	}
	if n < len(s) && s[n] == '.' {
		n++
		for n < len(s) && digit(s[n]) {
			n++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	return n, digits
}

// scanExponent returns the length of an exponent (e.g. "e-3") at the start
// of s, or 0 when there is none or it has no digits.
func scanExponent(s string, mark byte) int {
	if len(s) == 0 || (s[0] != mark && s[0] != mark-'a'+'A') {
		return 0
	}
	n := 1
	if n < len(s) && (s[n] == '+' || s[n] == '-') {
		n++
	}
	start := n
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == start {
		return 0
	}
	return n
}

// finishFloat converts text, a complete float literal, and sets ERANGE the
// way glibc does: on overflow, and when a number with a non-zero mantissa
// comes out as zero or subnormal.
func finishFloat(text, mant string, neg bool, rest string) (float64, string, unix.Errno) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, rest, 0 // cannot happen for a scanned literal
	}
	var errno unix.Errno
	nonZero := strings.Trim(strings.TrimPrefix(strings.TrimPrefix(mant, "0x"), "0X"), "0.") != ""
	switch {
	case math.IsInf(f, 0):
		errno = unix.ERANGE
	case nonZero && math.Abs(f) < 0x1p-1022:
		errno = unix.ERANGE
	}
	return signed(f, neg), rest, errno
}

func signed(f float64, neg bool) float64 {
	if neg {
		return -f
	}
	return f
}

// NormalOrZero reports whether fpclassify(f) is FP_NORMAL or FP_ZERO.
func NormalOrZero(f float64) bool {
	return f == 0 || (!math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) >= 0x1p-1022)
}

// InetAton parses s as glibc's inet_aton does when getaddrinfo(3) checks
// for a numeric host: one to four parts separated by dots, each read by
// strtoul(3) with base 0 (decimal, octal after a leading 0, hexadecimal
// after 0x), the last part filling the remaining bytes. Nothing may follow.
func InetAton(s string) (addr [4]byte, ok bool) {
	var parts []uint64
	i := 0
	for {
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return addr, false
		}
		val, rest, _ := Strtoul(s[i:])
		if val > 0xffffffff {
			return addr, false
		}
		i = len(s) - len(rest)
		if i < len(s) && s[i] == '.' {
			if len(parts) > 2 || val > 0xff {
				return addr, false
			}
			parts = append(parts, val)
			i++
			continue
		}
		if i != len(s) {
			return addr, false
		}
		limits := []uint64{0xffffffff, 0xffffff, 0xffff, 0xff}
		if val > limits[len(parts)] {
			return addr, false
		}
		for k, p := range parts {
			val |= p << (24 - 8*k)
		}
		return [4]byte{byte(val >> 24), byte(val >> 16), byte(val >> 8), byte(val)}, true
	}
}

// Strtoul is strtoul(s, &end, 0) for the words the tools read: an
// optional "+", then 0x hex, 0 octal or decimal digits. It returns the
// value, the rest of s, and whether any digit was read. Values too large
// come back as 1<<64-1, as ULONG_MAX.
func Strtoul(s string) (uint64, string, bool) {
	s = strings.TrimPrefix(s, "+")
	base := uint64(10)
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digitValue(s[2]) < 16:
		base, s = 16, s[2:]
	case len(s) > 0 && s[0] == '0':
		base = 8
	}
	var n uint64
	i := 0
	for ; i < len(s) && digitValue(s[i]) < base; i++ {
		d := digitValue(s[i])
		if n > (1<<64-1-d)/base {
			n = 1<<64 - 1
			continue
		}
		n = n*base + d
	}
	return n, s[i:], i > 0
}

// digitValue is the value of a hex digit, or 99.
func digitValue(c byte) uint64 {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0')
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}

// FloatG formats f like printf("%g", (double)(float)f).
func FloatG(f float64) string {
	return strconv.FormatFloat(float64(float32(f)), 'g', 6, 64)
}

// base0 reads all of s as strtol and strtoul do with base 0: spaces, one
// optional sign, then Strtoul's digits. It returns the sign, the magnitude
// (1<<64-1 when too large) and whether s was a number and nothing else.
func base0(s string) (neg bool, mag uint64, ok bool) {
	s = strings.TrimLeftFunc(s, IsSpace)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
		if s != "" && (s[0] == '+' || s[0] == '-') {
			return false, 0, false
		}
	}
	mag, rest, ok := Strtoul(s)
	return neg, mag, ok && rest == ""
}

// GetInteger is iproute2's get_integer(&v, s, 0): all of s a number for
// strtol with base 0 (decimal, 0x hex, 0 octal, a sign), within a C int.
func GetInteger(s string) (int32, bool) {
	neg, mag, ok := base0(s)
	switch {
	case !ok:
		return 0, false
	case neg && mag <= 1<<31:
		return int32(-int64(mag)), true
	case !neg && mag <= 1<<31-1:
		return int32(mag), true
	}
	return 0, false
}

// GetU32 is iproute2's get_u32(&v, s, 0): all of s a number for strtoul
// with base 0, at most 0xffffffff. As with strtoul, a minus sign negates
// modulo 1<<64, so only "-0" passes.
func GetU32(s string) (uint32, bool) {
	neg, mag, ok := base0(s)
	if !ok || mag == 1<<64-1 {
		return 0, false
	}
	if neg {
		mag = -mag
	}
	if mag > math.MaxUint32 {
		return 0, false
	}
	return uint32(mag), true
}

// GetUint is iproute2's get_u8, get_u16, get_u32 and get_u64 with base 0:
// all of s a number for strtoul, at most max.
func GetUint(s string, max uint64) (uint64, bool) {
	neg, mag, ok := base0(s)
	if !ok || mag == 1<<64-1 {
		return 0, false
	}
	if neg {
		mag = -mag
	}
	if mag > max {
		return 0, false
	}
	return mag, true
}
