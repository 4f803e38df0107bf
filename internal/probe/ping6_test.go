package probe

import (
	"strings"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/script"
)

// The expected outputs below are iputils ping 20221126's, called as ping6,
// checked in a sandbox on this kernel, with the timing figures masked.

func TestPing6InNamespaces(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	stats := func(host, line string) string {
		return "\n--- " + host + " ping statistics ---\n" + line
	}
	tests := []struct {
		prog string
		args string
		want result
	}{
		{"ping6", "-c 2 -i 0.01 fd00::2", result{Stdout: "PING fd00::2(fd00::2) 56 data bytes\n" +
			"64 bytes from fd00::2: icmp_seq=1 ttl=64 time=T ms\n" +
			"64 bytes from fd00::2: icmp_seq=2 ttl=64 time=T ms\n" +
			stats("fd00::2", "2 packets transmitted, 2 received, 0% packet loss, time Tms\nrtt min/avg/max/mdev = T ms\n")}},
		{"ping", "-6 -c 1 fe80::2%va", result{Stdout: "PING fe80::2%va(fe80::2%va) 56 data bytes\n" +
			"64 bytes from fe80::2%va: icmp_seq=1 ttl=64 time=T ms\n" +
			stats("fe80::2%va", "1 packets transmitted, 1 received, 0% packet loss, time Tms\nrtt min/avg/max/mdev = T ms\n")}},
		{"ping6", "-c 1 -I va fe80::2", result{
			Stderr: "ping6: Warning: source address might be selected on device other than: va\n",
			Stdout: "PING fe80::2(fe80::2) from :: va: 56 data bytes\n" +
				"64 bytes from fe80::2%va: icmp_seq=1 ttl=64 time=T ms\n" +
				stats("fe80::2", "1 packets transmitted, 1 received, 0% packet loss, time Tms\nrtt min/avg/max/mdev = T ms\n")}},
		{"ping6", "-c 1 -I fd00::1 fd00::2", result{Stdout: "PING fd00::2(fd00::2) from fd00::1 : 56 data bytes\n" +
			"64 bytes from fd00::2: icmp_seq=1 ttl=64 time=T ms\n" +
			stats("fd00::2", "1 packets transmitted, 1 received, 0% packet loss, time Tms\nrtt min/avg/max/mdev = T ms\n")}},
		{"ping6", "-c 1 -W 0.2 fd00::9", result{Code: 1, Stdout: "PING fd00::9(fd00::9) 56 data bytes\n" +
			stats("fd00::9", "1 packets transmitted, 0 received, 100% packet loss, time Tms\n\n")}},
		{"ping6", "-c 1 fd01::2", result{Code: 2, Stderr: "ping6: connect: Network is unreachable\n"}},
		{"ping", "-c 1 fd01::2", result{Code: 2, Stderr: "ping: connect: Network is unreachable\n"}},
		{"ping6", "-c 1 -I fd00::9 fd00::2", result{Code: 2, Stderr: "ping6: bind icmp socket: Cannot assign requested address\n"}},
		{"ping6", "-c 1 -I fe80::1 fe80::2", result{Code: 2, Stderr: "ping6: bind icmp socket: Invalid argument\n"}},
		{"ping6", "-c 1 -I veth9 fd00::2", result{Code: 2, Stderr: "ping6: unknown iface: veth9\n"}},
		{"ping6", "-c 1 fe80::2%veth9", result{Code: 2, Stderr: "ping6: fe80::2%veth9: Name or service not known\n"}},
		{"ping6", "-c 1 fd00::2%va", result{Code: 2, Stderr: "ping6: fd00::2%va: Name or service not known\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.prog+" "+tt.args, func(t *testing.T) {
			cmd := PingCmd()
			if tt.prog == "ping6" {
				cmd = Ping6Cmd()
			}
			got := realtoolBuiltin(t, p, cmd, strings.Fields(tt.args)...)
			got.Stdout = maskTiming(got.Stdout)
			if got != tt.want {
				t.Errorf("%s %s:\ngot:\n%s\nwant:\n%s", tt.prog, tt.args, got, tt.want)
			}
		})
	}
}

// TestPing6AddressUnreachable checks the "From ... Destination unreachable:
// Address unreachable" lines: the kernel's ICMPv6 error when neighbour
// discovery fails (made fast here), read from the error queue.
func TestPing6AddressUnreachable(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	if err := p.a.Do(func() error {
		if err := loUp(); err != nil {
			return err
		}
		return setSysctl("net/ipv6/neigh/va/retrans_time_ms", "10")
	}); err != nil {
		t.Fatal(err)
	}
	got := realtoolBuiltin(t, p, Ping6Cmd(), "-c", "2", "-i", "0.2", "fe80::9%va")
	got.Stdout = maskTiming(got.Stdout)
	want := result{Code: 1, Stdout: "PING fe80::9%va(fe80::9%va) 56 data bytes\n" +
		"From fe80::1%va icmp_seq=1 Destination unreachable: Address unreachable\n" +
		"From fe80::1%va icmp_seq=2 Destination unreachable: Address unreachable\n" +
		"\n--- fe80::9%va ping statistics ---\n" +
		"2 packets transmitted, 0 received, +2 errors, 100% packet loss, time Tms\n\n"}
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestICMP6Text(t *testing.T) {
	tests := []struct {
		typ, code uint8
		info      uint32
		want      string
	}{
		{1, 0, 0, "Destination unreachable: No route"},
		{1, 3, 0, "Destination unreachable: Address unreachable"},
		{1, 9, 0, "Destination unreachable: Unknown code 9"},
		{2, 0, 1280, "Packet too big: mtu=1280"},
		{2, 1, 1280, "Packet too big: mtu=1280, code=1"},
		{3, 0, 0, "Time exceeded: Hop limit"},
		{3, 5, 0, "Time exceeded: code 5"},
		{4, 1, 40, "Parameter problem: Unknown header at 40"},
		{4, 7, 40, "Parameter problem: code 7 at 40"},
		{131, 0, 0, "MLD Report"},
		{200, 0, 0, "unknown icmp type: 200"},
	}
	for _, tt := range tests {
		if got := icmp6Text(tt.typ, tt.code, tt.info); got != tt.want {
			t.Errorf("icmp6Text(%d, %d, %d) = %q, want %q", tt.typ, tt.code, tt.info, got, tt.want)
		}
	}
}

// realtoolBuiltin runs cmd in namespace a of p under a deadline.
func realtoolBuiltin(t *testing.T, p *pair, cmd *script.Cmd, args ...string) result {
	t.Helper()
	return realtool.MustBuiltin(t, p.w, p.a, 20*time.Second, cmd, args...)
}
