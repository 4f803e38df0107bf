package probe

import (
	"strings"
	"testing"
	"time"
)

// The expected outputs below are iputils ping 20221126's, checked in a
// sandbox on this kernel, with the timing figures masked.

func TestPingInNamespaces(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	tests := []struct {
		name string
		args []string
		want result
	}{
		{
			name: "replies",
			args: []string{"-c", "3", "-i", "0.01", "10.0.0.2"},
			want: result{Stdout: "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n" +
				"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=T ms\n" +
				"64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=T ms\n" +
				"64 bytes from 10.0.0.2: icmp_seq=3 ttl=64 time=T ms\n" +
				"\n--- 10.0.0.2 ping statistics ---\n" +
				"3 packets transmitted, 3 received, 0% packet loss, time Tms\n" +
				"rtt min/avg/max/mdev = T ms\n"},
		},
		{
			name: "unanswered neighbour",
			args: []string{"-c", "1", "-W", "1", "10.0.0.9"},
			want: result{Code: 1, Stdout: "PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.\n" +
				"\n--- 10.0.0.9 ping statistics ---\n" +
				"1 packets transmitted, 0 received, 100% packet loss, time Tms\n\n"},
		},
		{
			name: "no route",
			args: []string{"-c", "1", "192.168.5.5"},
			want: result{Code: 2, Stderr: "ping: connect: Network is unreachable\n"},
		},
		{
			name: "quiet",
			args: []string{"-q", "-c", "2", "-i", "0.01", "10.0.0.2"},
			want: result{Stdout: "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n" +
				"\n--- 10.0.0.2 ping statistics ---\n" +
				"2 packets transmitted, 2 received, 0% packet loss, time Tms\n" +
				"rtt min/avg/max/mdev = T ms\n"},
		},
		{
			name: "interface",
			args: []string{"-c1", "-I", "va", "10.0.0.2"},
			want: result{Stdout: "PING 10.0.0.2 (10.0.0.2) from 10.0.0.1 va: 56(84) bytes of data.\n" +
				"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=T ms\n" +
				"\n--- 10.0.0.2 ping statistics ---\n" +
				"1 packets transmitted, 1 received, 0% packet loss, time Tms\n" +
				"rtt min/avg/max/mdev = T ms\n"},
		},
		{
			name: "source address",
			args: []string{"10.0.0.2", "-c1", "-I10.0.0.1"},
			want: result{Stdout: "PING 10.0.0.2 (10.0.0.2) from 10.0.0.1 : 56(84) bytes of data.\n" +
				"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=T ms\n" +
				"\n--- 10.0.0.2 ping statistics ---\n" +
				"1 packets transmitted, 1 received, 0% packet loss, time Tms\n" +
				"rtt min/avg/max/mdev = T ms\n"},
		},
		{
			name: "unknown interface",
			args: []string{"-c", "1", "-I", "veth9", "10.0.0.2"},
			want: result{Code: 2, Stderr: "ping: SO_BINDTODEVICE veth9: No such device\n"},
		},
		{
			name: "foreign source address",
			args: []string{"-c", "1", "-I", "10.0.0.7", "10.0.0.2"},
			want: result{Code: 2, Stderr: "ping: bind: Cannot assign requested address\n"},
		},
		{
			name: "source address without route",
			args: []string{"-c", "1", "-W", "0.2", "-I", "10.0.0.1", "192.168.5.5"},
			want: result{Code: 1, Stdout: "PING 192.168.5.5 (192.168.5.5) from 10.0.0.1 : 56(84) bytes of data.\n" +
				"\n--- 192.168.5.5 ping statistics ---\n" +
				"1 packets transmitted, 0 received, 100% packet loss, time Tms\n\n"},
		},
		{
			name: "deadline with replies",
			args: []string{"-w", "5", "-c", "2", "-i", "0.01", "10.0.0.2"},
			want: result{Stdout: "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n" +
				"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=T ms\n" +
				"64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=T ms\n" +
				"\n--- 10.0.0.2 ping statistics ---\n" +
				"2 packets transmitted, 2 received, 0% packet loss, time Tms\n" +
				"rtt min/avg/max/mdev = T ms\n"},
		},
		{
			name: "garbage warning",
			args: []string{"-c", "1", "-W", "1x", "10.0.0.2"},
			want: result{Stderr: "ping: option argument contains garbage: x\n" +
				"ping: this will become fatal error in the future\n",
				Stdout: "PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n" +
					"64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=T ms\n" +
					"\n--- 10.0.0.2 ping statistics ---\n" +
					"1 packets transmitted, 1 received, 0% packet loss, time Tms\n" +
					"rtt min/avg/max/mdev = T ms\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runPing(t, p, p.a, 20*time.Second, tt.args...)
			got.Stdout = maskTiming(got.Stdout)
			if got != tt.want {
				t.Errorf("ping %s:\ngot:\n%s\nwant:\n%s", strings.Join(tt.args, " "), got, tt.want)
			}
		})
	}
}

// TestPingICMPErrors checks the "From ... Destination Host Unreachable"
// lines, which come from the error queue: with lo up, the kernel delivers
// the host-unreachable error it makes when ARP fails (made fast here).
func TestPingICMPErrors(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	if err := p.a.Do(func() error {
		if err := loUp(); err != nil {
			return err
		}
		return setSysctl("net/ipv4/neigh/va/retrans_time_ms", "10")
	}); err != nil {
		t.Fatal(err)
	}
	got := runPing(t, p, p.a, 20*time.Second, "-c", "2", "-i", "0.2", "10.0.0.9")
	got.Stdout = maskTiming(got.Stdout)
	want := result{Code: 1, Stdout: "PING 10.0.0.9 (10.0.0.9) 56(84) bytes of data.\n" +
		"From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n" +
		"From 10.0.0.1 icmp_seq=2 Destination Host Unreachable\n" +
		"\n--- 10.0.0.9 ping statistics ---\n" +
		"2 packets transmitted, 0 received, +2 errors, 100% packet loss, time Tms\n\n"}
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestPingScenarioDeadline checks that the scenario's deadline ends a ping
// that would run for ever, with its statistics printed.
func TestPingScenarioDeadline(t *testing.T) {
	t.Parallel()
	p := newPair(t)
	got := runPing(t, p, p.a, 300*time.Millisecond, "-i", "0.05", "10.0.0.9")
	if got.Code != 1 || got.Stderr != "" {
		t.Errorf("exit %d, stderr %q; want exit 1 and no message", got.Code, got.Stderr)
	}
	if !strings.Contains(got.Stdout, "\n--- 10.0.0.9 ping statistics ---\n") ||
		!strings.Contains(got.Stdout, " received, 100% packet loss, time ") {
		t.Errorf("no statistics in:\n%s", got.Stdout)
	}
}
