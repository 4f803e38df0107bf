package probe

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

func TestParsePingGood(t *testing.T) {
	a := netip.MustParseAddr
	base := func(target string, hostname string) pingOpts {
		return pingOpts{interval: 1000, linger: 10000, prog: "ping", hostname: hostname, hops: []netip.Addr{a(target)}}
	}
	tests := []struct {
		args string
		want func(o *pingOpts)
	}{
		{"10.0.0.2", func(o *pingOpts) {}},
		{"-c 4 10.0.0.2", func(o *pingOpts) { o.count = 4 }},
		{"-c4 10.0.0.2", func(o *pingOpts) { o.count = 4 }},
		{"-qc3 10.0.0.2", func(o *pingOpts) { o.count, o.quiet = 3, true }},
		{"-c+3 10.0.0.2", func(o *pingOpts) { o.count = 3 }},
		{"10.0.0.2 -c 1", func(o *pingOpts) { o.count = 1 }},
		{"-c 1 -- 10.0.0.2", func(o *pingOpts) { o.count = 1 }},
		{"-i 0.01 10.0.0.2", func(o *pingOpts) { o.interval = 10 }},
		{"-i0.2 10.0.0.2", func(o *pingOpts) { o.interval = 200 }},
		{"-i 0x10 10.0.0.2", func(o *pingOpts) { o.interval = 16000 }},
		{"-i -1 10.0.0.2", func(o *pingOpts) { o.interval = -1000 }},
		{"-i 1e-400 10.0.0.2", func(o *pingOpts) {
			o.interval = 0
			o.warnings = []string{"ping: option argument contains garbage: ", "ping: this will become fatal error in the future"}
		}},
		{"-W 1 10.0.0.2", func(o *pingOpts) { o.linger = 1000 }},
		{"-W 0 10.0.0.2", func(o *pingOpts) { o.linger = 0 }},
		{"-W 0.5s 10.0.0.2", func(o *pingOpts) {
			o.linger = 500
			o.warnings = []string{"ping: option argument contains garbage: s", "ping: this will become fatal error in the future"}
		}},
		{"-w 5 10.0.0.2", func(o *pingOpts) { o.deadline = 5 }},
		{"-I va 10.0.0.2", func(o *pingOpts) { o.device = "va" }},
		{"-I 10.0.0.1 10.0.0.2", func(o *pingOpts) { o.source, o.strictSource = a("10.0.0.1"), true }},
		{"-I fe80::1%va 10.0.0.2", func(o *pingOpts) { o.device, o.source6, o.strictSource = "va", a("fe80::1"), true }},
		{"-n -4 10.0.0.2", func(o *pingOpts) { o.family = 4 }},
		{"0x0a000002", func(o *pingOpts) { o.hostname = "0x0a000002" }},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			got, err := parsePing(strings.Fields(tt.args))
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			want := base("10.0.0.2", strings.Fields(tt.args)[len(strings.Fields(tt.args))-1])
			if strings.Contains(tt.args, "10.0.0.2 -c") || strings.Contains(tt.args, "-- ") {
				want.hostname = "10.0.0.2"
			}
			tt.want(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

func TestParsePingOddDestinations(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.1", "10.0.0.1"},
		{"10.0.513", "10.0.2.1"},
		{"012.0.0.2", "10.0.0.2"},
		{"167772162", "10.0.0.2"},
		{"0", "0.0.0.0"},
	}
	for _, tt := range tests {
		o, err := parsePing([]string{tt.in})
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if got := o.target().String(); got != tt.want || o.hostname != tt.in {
			t.Errorf("%s: target %s, hostname %s; want %s, %s", tt.in, got, o.hostname, tt.want, tt.in)
		}
	}
}

// The messages and statuses below are iputils ping 20221126's.
func TestParsePingBad(t *testing.T) {
	usage := strings.TrimSuffix(usageText, "\n")
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{}, 1, "ping: usage error: Destination address required"},
		{[]string{"-c", "1"}, 1, "ping: usage error: Destination address required"},
		{[]string{"-c", "0", "10.0.0.2"}, 1, "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807"},
		{[]string{"-c", "-1", "10.0.0.2"}, 1, "ping: invalid argument: '-1': out of range: 1 <= value <= 9223372036854775807"},
		{[]string{"-c", "x", "10.0.0.2"}, 1, "ping: invalid argument: 'x'"},
		{[]string{"-c", "", "10.0.0.2"}, 1, "ping: invalid argument: ''"},
		{[]string{"-c", "3x", "10.0.0.2"}, 1, "ping: invalid argument: '3x'"},
		{[]string{"-c", "99999999999999999999", "10.0.0.2"}, 1, "ping: invalid argument: '99999999999999999999': Numerical result out of range"},
		{[]string{"-w", "-1", "10.0.0.2"}, 1, "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647"},
		{[]string{"-w", "x", "10.0.0.2"}, 1, "ping: invalid argument: 'x'"},
		{[]string{"-W", "-1", "10.0.0.2"}, 2, "ping: bad linger time: -1"},
		{[]string{"-W", "", "10.0.0.2"}, 2, "ping: bad linger time: : No such file or directory"},
		{[]string{"-W", "9999999", "10.0.0.2"}, 2, "ping: bad linger time: 9999999"},
		{[]string{"-i", "inf", "10.0.0.2"}, 2, "ping: bad timing interval: inf: Numerical result out of range"},
		{[]string{"-i", "nan", "10.0.0.2"}, 2, "ping: bad timing interval: nan: Numerical result out of range"},
		{[]string{"-i", "9999999", "10.0.0.2"}, 2, "ping: bad timing interval: 9999999"},
		{[]string{"-i", "1e999", "10.0.0.2"}, 2, "ping: option argument contains garbage: \n" +
			"ping: this will become fatal error in the future\n" +
			"ping: bad timing interval: 1e999: Numerical result out of range"},
		{[]string{"-i", "1e-310", "10.0.0.2"}, 2, "ping: option argument contains garbage: \n" +
			"ping: this will become fatal error in the future\n" +
			"ping: bad timing interval: 1e-310: Numerical result out of range"},
		{[]string{"-i", "x", "-c", "0", "10.0.0.2"}, 1, "ping: option argument contains garbage: x\n" +
			"ping: this will become fatal error in the future\n" +
			"ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807"},
		{[]string{"-z", "10.0.0.2"}, 2, "ping: invalid option -- 'z'\n" + usage},
		{[]string{"--count=1", "10.0.0.2"}, 2, "ping: invalid option -- '-'\n" + usage},
		{[]string{"-c"}, 2, "ping: option requires an argument -- 'c'\n" + usage},
		{[]string{"-h"}, 2, usage},
		{[]string{"-4", "-6", "10.0.0.2"}, 2, "ping: only one -4 or -6 option may be specified"},
		{[]string{"-I", "foo:bar", "10.0.0.2"}, 2, "ping: invalid source address: foo:bar"},
		{[]string{"foo"}, 2, "ping: foo: Temporary failure in name resolution"},
		{[]string{""}, 2, "ping: : Name or service not known"},
		{[]string{"10.0.0.2 "}, 2, "ping: 10.0.0.2 : Name or service not known"}, // as iputils says: a space is no host name character
		{[]string{"-c", "1", "10.0.0.2", "foo"}, 2, "ping: foo: Temporary failure in name resolution"},
		{[]string{"-c", "1", "foo", "10.0.0.2"}, 2, "ping: foo: Temporary failure in name resolution"},
		{[]string{"-4", "::1"}, 2, "ping: ::1: Address family for hostname not supported"},
		{[]string{"-6", "10.0.0.2"}, 2, "ping: 10.0.0.2: Address family for hostname not supported"},
		{[]string{"::1", "::2"}, 2, usage},
		{[]string{"10.0.0.1", "::2"}, 2, usage},
		{[]string{"-6", "-c", "1", "::1", "10.0.0.2"}, 2, "ping: 10.0.0.2: Address family for hostname not supported"},
		{[]string{"foo:bar"}, 2, "ping: foo:bar: Name or service not known"},
		{[]string{"fd00::g"}, 2, "ping: fd00::g: Name or service not known"},
		{[]string{"fd00::2%"}, 2, "ping: fd00::2%: Name or service not known"},
		{[]string{"-i", "x", "-z", "::1"}, 2, "ping: option argument contains garbage: x\n" +
			"ping: this will become fatal error in the future\n" +
			"ping: invalid option -- 'z'\n" + usage},
		{[]string{"-s", "100", "10.0.0.2"}, 2, "ping: option -s is not implemented by netscript"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parsePing(tt.args)
			var ee *script.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("got %v, want exit %d: %s", err, tt.code, tt.msg)
			}
			if ee.Code != tt.code || ee.Msg != tt.msg {
				t.Errorf("got exit %d:\n%s\nwant exit %d:\n%s", ee.Code, ee.Msg, tt.code, tt.msg)
			}
		})
	}
}

// TestParsePing6 checks what the ping6 name changes: IPv6 only, and
// messages that start with "ping6".
func TestParsePing6(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		msg    string
		target string
		family byte
	}{
		{args: []string{"fd00::2"}, target: "fd00::2", family: 6},
		{args: []string{"-6", "fe80::2%veth0"}, target: "fe80::2%veth0", family: 6},
		{args: []string{"FD00:0::2%7"}, target: "fd00::2%7", family: 6},
		{args: []string{"10.0.0.2"}, code: 2, msg: "ping6: 10.0.0.2: Address family for hostname not supported"},
		{args: []string{"-4", "fd00::2"}, code: 2, msg: "ping6: only one -4 or -6 option may be specified"},
		{args: []string{}, code: 1, msg: "ping6: usage error: Destination address required"},
		{args: []string{"-c", "x", "::1"}, code: 1, msg: "ping6: invalid argument: 'x'"},
		{args: []string{"-I", "fd00::x%va", "::1"}, code: 2, msg: "ping6: invalid source address: fd00::x%va"},
		{args: []string{"-y", "::1"}, code: 2, msg: "ping6: invalid option -- 'y'\n" + strings.TrimSuffix(usageText, "\n")},
		{args: []string{"foo"}, code: 2, msg: "ping6: foo: Temporary failure in name resolution"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			o, err := parsePingAs("ping6", tt.args)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if got := o.target(); got.String() != tt.target || o.family != tt.family || o.prog != "ping6" {
					t.Errorf("target %s, family %d, prog %q; want %s, %d, ping6", got, o.family, o.prog, tt.target, tt.family)
				}
				return
			}
			var ee *script.ExitError
			if !errors.As(err, &ee) || ee.Code != tt.code || ee.Msg != tt.msg {
				t.Errorf("got %v; want exit %d: %s", err, tt.code, tt.msg)
			}
		})
	}
}

func TestParsePingVersion(t *testing.T) {
	o, err := parsePing([]string{"-V", "-z"})
	if err != nil || !o.version {
		t.Fatalf("got %+v, %v; want the version, the rest ignored", o, err)
	}
}

func TestReplyTimeAndSqrt(t *testing.T) {
	times := map[int64]string{0: "0.000", 231: "0.231", 999: "0.999", 1000: "1.00", 9994: "9.99",
		9995: "10.0", 99949: "99.9", 99950: "100", 123456: "123"}
	for us, want := range times {
		if got := replyTime(us); got != want {
			t.Errorf("replyTime(%d) = %s, want %s", us, got, want)
		}
	}
	// llsqrt stops one step late: 15 gives 4, as in iputils.
	for a, want := range map[int64]int64{0: 0, 1: 1, 15: 4, 16: 4, 12100: 110} {
		if got := isqrt(a); got != want {
			t.Errorf("isqrt(%d) = %d, want %d", a, got, want)
		}
	}
}

// TestResolvable pins what the real ping answered for each name on this
// machine: "Temporary failure in name resolution" (resolvable) or "Name
// or service not known".
func TestResolvable(t *testing.T) {
	for name, want := range map[string]bool{
		"foo": true, "a_b": true, "_a": true, "a.": true, "a-": true, "ab.-c": true,
		"1.2.3.4.5": true, "0x1g": true, "\u00e9": true, `a\b`: true, `a\065b`: true, `\a`: true,
		"": false, "a*b": false, "a/b": false, "a@b": false, "a~b": false, "a:b": false,
		"[x]": false, ".1": false, "a..b": false, ".a": false, ".": false, "-x": false,
		"-": false, `a\.b`: false, `\\x`: false, `a\\`: false, `a\`: false, "a b": false,
		"10.0.0.2 ": false, `a\256b`: false,
	} {
		if got := resolvable(name); got != want {
			t.Errorf("resolvable(%q) = %v, want %v", name, got, want)
		}
	}
}
