package ipshow

import (
	"net/netip"
	"testing"

	"github.com/netscript/netscript/internal/jsonw"

	"golang.org/x/sys/unix"
)

// The wants are glibc's inet_ntop, which differs from Go's netip for
// IPv4-compatible addresses.
func TestInetNtop6(t *testing.T) {
	tests := []struct{ in, want string }{
		{"::", "::"},
		{"::1", "::1"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"::1.2.3.4", "::1.2.3.4"},
		{"2001:db8::1", "2001:db8::1"},
		{"2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"},
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
		{"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
		{"fe80::ff:fe00:1", "fe80::ff:fe00:1"},
		{"::ffff:0:1.2.3.4", "::ffff:0:102:304"},
		{"1::", "1::"},
		{"0:0:1::", "0:0:1::"},
		{"1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"},
		{"::2:3:4:5:6:7", "::2:3:4:5:6:7"},
		{"ffff::ffff:1.2.3.4", "ffff::ffff:102:304"},
	}
	for _, tc := range tests {
		a := netip.MustParseAddr(tc.in).As16()
		if got := inetNtop(unix.AF_INET6, a[:]); got != tc.want {
			t.Errorf("inetNtop(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLLAddr(t *testing.T) {
	tests := []struct {
		addr []byte
		typ  uint16
		want string
	}{
		{[]byte{2, 0, 0, 0, 0, 0x0b}, unix.ARPHRD_ETHER, "02:00:00:00:00:0b"},
		{[]byte{10, 0, 0, 1}, unix.ARPHRD_IPGRE, "10.0.0.1"},
		{[]byte{10, 0, 0, 1}, unix.ARPHRD_ETHER, "0a:00:00:01"},
		{make([]byte, 16), unix.ARPHRD_TUNNEL6, "::"},
	}
	for _, tc := range tests {
		if got := llAddr(tc.addr, tc.typ); got != tc.want {
			t.Errorf("llAddr(% x, %d) = %q, want %q", tc.addr, tc.typ, got, tc.want)
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{llTypeName(unix.ARPHRD_ETHER), "ether"},
		{llTypeName(unix.ARPHRD_LOOPBACK), "loopback"},
		{llTypeName(unix.ARPHRD_NONE), "none"},
		{llTypeName(519), "[519]"},
		{scopeName(unix.RT_SCOPE_UNIVERSE), "global"},
		{scopeName(unix.RT_SCOPE_LINK), "link"},
		{scopeName(unix.RT_SCOPE_HOST), "host"},
		{scopeName(7), "7"},
		{groupName(0), "default"},
		{groupName(5), "5"},
		{FamilyName(unix.AF_INET6), "inet6"},
		{FamilyName(99), "???"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("case %d: got %q, want %q", i, tc.got, tc.want)
		}
	}
}

func TestIdxFromName(t *testing.T) {
	tests := []struct {
		name string
		want int
	}{
		{"if3", 3}, {"if 12", 12}, {"if3x", 3}, {"if", 0}, {"eth0", 0}, {"if-1", 0}, {"ifx", 0},
	}
	for _, tc := range tests {
		if got := idxFromName(tc.name); got != tc.want {
			t.Errorf("idxFromName(%q) = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestJSONWriter checks the writer against json_writer.c's layouts,
// compact and pretty, including its escapes.
func TestJSONWriter(t *testing.T) {
	build := func(p *printer) {
		p.Begin()
		p.OpenObject("")
		p.Uint(jsonw.Any, "ifindex", "", 1)
		p.Str(jsonw.Any, "ifname", "", "a\"b\\c\td\x01")
		p.OpenArray(jsonw.Any, "flags", "")
		p.Str(jsonw.Any, "", "", "UP")
		p.Str(jsonw.Any, "", "", "LOWER_UP")
		p.CloseArray(jsonw.Any, "")
		p.OpenArray(jsonw.JSON, "addr_info", "")
		p.CloseArray(jsonw.JSON, "")
		p.null("link")
		p.Bool(jsonw.Any, "dynamic", "", true)
		p.CloseObject()
		p.OpenObject("")
		p.CloseObject()
		p.End()
	}
	tests := []struct {
		pretty bool
		want   string
	}{
		{false, `[{"ifindex":1,"ifname":"a\"b\\c\td` + "\x01" + `","flags":["UP","LOWER_UP"],"addr_info":[],"link":null,"dynamic":true},{}]` + "\n"},
		{true, "[ {\n" +
			"        \"ifindex\": 1,\n" +
			"        \"ifname\": \"a\\\"b\\\\c\\td\x01\",\n" +
			"        \"flags\": [ \"UP\",\"LOWER_UP\" ],\n" +
			"        \"addr_info\": [ ],\n" +
			"        \"link\": null,\n" +
			"        \"dynamic\": true\n" +
			"    },{} ]\n"},
	}
	for _, tc := range tests {
		p := newPrinter(true, tc.pretty)
		build(p)
		if got := p.Buf.String(); got != tc.want {
			t.Errorf("pretty=%v:\ngot  %q\nwant %q", tc.pretty, got, tc.want)
		}
	}
}
