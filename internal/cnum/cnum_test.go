package cnum

import (
	"math"
	"testing"
)

func TestStrtod(t *testing.T) {
	tests := []struct {
		in     string
		v      float64
		rest   string
		erange bool
	}{
		{"1", 1, "", false},
		{" +1.5e1x", 15, "x", false},
		{".5", 0.5, "", false},
		{"5.", 5, "", false},
		{"1e", 1, "e", false},
		{"0x", 0, "x", false},
		{"0x1p-2", 0.25, "", false},
		{"0x1.8", 1.5, "", false},
		{"-inf", math.Inf(-1), "", false},
		{"Infinity!", math.Inf(1), "!", false},
		{"nan(abc)z", math.NaN(), "z", false},
		{"1e400", math.Inf(1), "", true},
		{"1e-400", 0, "", true},
		{"0e-400", 0, "", false},
		{"x", 0, "x", false},
	}
	for _, tt := range tests {
		v, rest, errno := Strtod(tt.in)
		same := v == tt.v || (math.IsNaN(v) && math.IsNaN(tt.v))
		if !same || rest != tt.rest || (errno != 0) != tt.erange {
			t.Errorf("strtod(%q) = %v, %q, %v; want %v, %q, erange %v", tt.in, v, rest, errno, tt.v, tt.rest, tt.erange)
		}
	}
}

func TestFloatG(t *testing.T) {
	for f, want := range map[float64]string{0: "0", 100: "100", 100.0 / 3: "33.3333", 200.0 / 3: "66.6667", 12.5: "12.5"} {
		if got := FloatG(f); got != want {
			t.Errorf("FloatG(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestStrtoul(t *testing.T) {
	for _, tt := range []struct {
		in   string
		v    uint64
		rest string
		ok   bool
	}{
		{"10", 10, "", true},
		{"+10", 10, "", true},
		{"010", 8, "", true},
		{"08", 0, "8", true},
		{"0x1f.", 31, ".", true},
		{"0x", 0, "x", true},
		{"0xg", 0, "xg", true},
		{"99999999999999999999999", 1<<64 - 1, "", true},
		{"", 0, "", false},
		{"x1", 0, "x1", false},
		{"-1", 0, "-1", false},
	} {
		v, rest, ok := Strtoul(tt.in)
		if v != tt.v || rest != tt.rest || ok != tt.ok {
			t.Errorf("Strtoul(%q) = %d, %q, %v; want %d, %q, %v", tt.in, v, rest, ok, tt.v, tt.rest, tt.ok)
		}
	}
}

func TestInetAton(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want [4]byte
		ok   bool
	}{
		{"10.0.0.1", [4]byte{10, 0, 0, 1}, true},
		{"10.1", [4]byte{10, 0, 0, 1}, true},
		{"0x7f.1", [4]byte{127, 0, 0, 1}, true},
		{"017.0.0.1", [4]byte{15, 0, 0, 1}, true},
		{"4294967295", [4]byte{255, 255, 255, 255}, true},
		{"4294967296", [4]byte{}, false},
		{"1.2.3.256", [4]byte{}, false},
		{"1.2.3.4.5", [4]byte{}, false},
		{"1.2.3.", [4]byte{}, false},
		{"+1", [4]byte{}, false},
		{"1 ", [4]byte{}, false},
	} {
		got, ok := InetAton(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("InetAton(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGetIntegerAndU32(t *testing.T) {
	for _, tt := range []struct {
		in  string
		i   int32
		iOK bool
		u   uint32
		uOK bool
	}{
		{"1400", 1400, true, 1400, true},
		{"0x10", 16, true, 16, true},
		{"010", 8, true, 8, true},
		{" +7", 7, true, 7, true},
		{"-1", -1, true, 0, false},
		{"-0", 0, true, 0, true},
		{"2147483647", 1<<31 - 1, true, 1<<31 - 1, true},
		{"2147483648", 0, false, 1 << 31, true},
		{"-2147483648", -1 << 31, true, 0, false},
		{"4294967295", 0, false, 1<<32 - 1, true},
		{"4294967296", 0, false, 0, false},
		{"99999999999999999999999", 0, false, 0, false},
		{"", 0, false, 0, false},
		{"abc", 0, false, 0, false},
		{"1x", 0, false, 0, false},
		{"1_000", 0, false, 0, false},
		{"0b1", 0, false, 0, false},
		{"+-1", 0, false, 0, false},
		{"-+1", 0, false, 0, false},
		{"7 ", 0, false, 0, false},
	} {
		if i, ok := GetInteger(tt.in); i != tt.i || ok != tt.iOK {
			t.Errorf("GetInteger(%q) = %d, %v; want %d, %v", tt.in, i, ok, tt.i, tt.iOK)
		}
		if u, ok := GetU32(tt.in); u != tt.u || ok != tt.uOK {
			t.Errorf("GetU32(%q) = %d, %v; want %d, %v", tt.in, u, ok, tt.u, tt.uOK)
		}
	}
}
