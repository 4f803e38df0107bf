package service_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/service"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		cmd  *script.Cmd
		line string
		msg  string
	}{
		{service.ListenCmd(), "", "listen: want a protocol and an address, got 0 arguments (usage: listen [-n NS] tcp|udp ADDR:PORT)"},
		{service.ListenCmd(), "tcp", "listen: want a protocol and an address, got 1 arguments (usage: listen [-n NS] tcp|udp ADDR:PORT)"},
		{service.ListenCmd(), "tcp 10.0.0.1:80 x", "listen: want a protocol and an address, got 3 arguments (usage: listen [-n NS] tcp|udp ADDR:PORT)"},
		{service.ListenCmd(), "sctp 10.0.0.1:80", `listen: unknown protocol "sctp": want tcp or udp`},
		{service.ListenCmd(), "-t 1s tcp :80", `listen: unknown option "-t" (usage: listen [-n NS] tcp|udp ADDR:PORT)`},
		{service.ListenCmd(), "-n", "listen: option -n needs a value (usage: listen [-n NS] tcp|udp ADDR:PORT)"},
		{service.ListenCmd(), "-n a/b tcp :80", `listen: bad namespace name "a/b"`},
		{service.ListenCmd(), "tcp 10.0.0.1", `listen: bad address "10.0.0.1": want ADDR:PORT`},
		{service.ListenCmd(), "tcp 10.0.0.1:0", `listen: bad port in "10.0.0.1:0": want 1 to 65535`},
		{service.ListenCmd(), "tcp 10.0.0.1:65536", `listen: bad port in "10.0.0.1:65536": want 1 to 65535`},
		{service.ListenCmd(), "tcp 10.0.0.1:http", `listen: bad port in "10.0.0.1:http": want 1 to 65535`},
		{service.ListenCmd(), "tcp fd00::1:80", `listen: bad address "fd00::1:80": want ADDR:PORT, an IPv6 address in brackets`},
		{service.ListenCmd(), "tcp host:80", `listen: bad address "host:80": want ADDR:PORT, an IPv6 address in brackets`},
		{service.ListenCmd(), "udp 224.0.0.1:80", `listen: bad address "224.0.0.1:80": want a unicast address`},
		{service.ConnectCmd(), "tcp :80", `connect: bad address ":80": want ADDR:PORT, an IPv6 address in brackets`},
		{service.ConnectCmd(), "tcp 0.0.0.0:80", `connect: bad address "0.0.0.0:80": want a unicast address`},
		{service.ConnectCmd(), "-t", "connect: option -t needs a value (usage: connect [-n NS] [-t TIMEOUT] tcp|udp ADDR:PORT)"},
		{service.ConnectCmd(), "-t x tcp 10.0.0.1:80", `connect: bad TIMEOUT "x": want a duration such as 500ms or 2s`},
		{service.ConnectCmd(), "-t 0s tcp 10.0.0.1:80", `connect: bad TIMEOUT "0s": want more than 0 and at most 1h`},
		{service.ConnectCmd(), "-x tcp 10.0.0.1:80", `connect: unknown option "-x" (usage: connect [-n NS] [-t TIMEOUT] tcp|udp ADDR:PORT)`},
		{service.ConnectCmd(), "tcp [fe80::1%eth0]:80", `connect: bad address "[fe80::1%eth0]:80": want ADDR:PORT, an IPv6 address in brackets`},
	}
	for _, tt := range tests {
		t.Run(tt.cmd.Name+" "+tt.line, func(t *testing.T) {
			_, err := tt.cmd.Parse(strings.Fields(tt.line))
			var e *script.ExitError
			if !errors.As(err, &e) {
				t.Fatalf("%s %s: got %v, want an exit error", tt.cmd.Name, tt.line, err)
			}
			if e.Code != 2 || e.Msg != tt.msg {
				t.Errorf("%s %s:\ngot  %d %q\nwant 2 %q", tt.cmd.Name, tt.line, e.Code, e.Msg, tt.msg)
			}
		})
	}
	for _, ok := range []string{"tcp :80", "udp [::]:53", "-n ns1 tcp [fd00::1]:8080", "tcp 10.0.0.1:1"} {
		if _, err := service.ListenCmd().Parse(strings.Fields(ok)); err != nil {
			t.Errorf("listen %s: %v", ok, err)
		}
	}
	for _, ok := range []string{"tcp 10.0.0.1:80", "-n a -t 1.5 udp [fd00::1]:53"} {
		if _, err := service.ConnectCmd().Parse(strings.Fields(ok)); err != nil {
			t.Errorf("connect %s: %v", ok, err)
		}
	}
}

// run runs one command line of the table in w, from its root namespace.
func run(t *testing.T, w *world.World, line string) (stdout, stderr string, code int) {
	t.Helper()
	r := realtool.RunLine(t, commands.Table(), w, w.Root(), line)
	return r.Stdout, r.Stderr, r.Code
}

// TestService opens services and reaches them, IPv4 and IPv6, and checks
// that deleting the namespace of a service ends it: "ip netns del" waits
// until the namespace's links are gone, which an open socket inside would
// prevent until the deadline.
func TestService(t *testing.T) {
	realtool.RequireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	tests := []struct {
		line, stdout, stderr string
		code                 int
	}{
		{"ip netns add c", "", "", 0},
		{"ip netns add s", "", "", 0},
		{"ip -n c link add e type veth peer name e netns s", "", "", 0},
		{"ip -n c addr add 10.0.0.1/24 dev e", "", "", 0},
		{"ip -n s addr add 10.0.0.2/24 dev e", "", "", 0},
		{"ip -n c addr add fd00::1/64 dev e nodad", "", "", 0},
		{"ip -n s addr add fd00::2/64 dev e nodad", "", "", 0},
		{"ip -n c link set e up", "", "", 0},
		{"ip -n s link set e up", "", "", 0},
		{"listen -n s tcp :8080", "", "", 0},
		{"listen -n s udp [fd00::2]:53", "", "", 0},
		{"ip netns exec s listen udp 10.0.0.2:53", "", "", 0},
		{"connect -n c tcp 10.0.0.2:8080", "hello from s\n", "", 0},
		{"connect -n c tcp [fd00::2]:8080", "hello from s\n", "", 0},
		{"ip netns exec c connect udp [fd00::2]:53", "hello from s\n", "", 0},
		{"connect -n c udp 10.0.0.2:53", "hello from s\n", "", 0},
		{"connect -n c tcp 10.0.0.2:8081", "", "connect: tcp 10.0.0.2:8081: Connection refused\n", 1},
		{"connect -n c udp [fd00::2]:54", "", "connect: udp [fd00::2]:54: Connection refused\n", 1},
		{"connect -n c -t 100ms tcp 10.0.9.9:80", "", "connect: tcp 10.0.9.9:80: Network is unreachable\n", 1},
		{"connect -n c -t 100ms tcp 10.0.0.9:80", "", "connect: tcp 10.0.0.9:80: timed out after 100ms\n", 1},
		{"connect -n nowhere tcp 10.0.0.9:80", "", "connect: no namespace \"nowhere\"\n", 2},
		{"listen -n s tcp 10.0.0.2:8080", "", "listen: tcp 10.0.0.2:8080: Address already in use\n", 1},
		{"listen -n s tcp 10.0.0.9:8080", "", "listen: tcp 10.0.0.9:8080: Cannot assign requested address\n", 1},
		{"listen tcp :8080", "", "", 0},
		{"connect tcp 127.0.0.1:8080", "", "connect: tcp 127.0.0.1:8080: Network is unreachable\n", 1},
		{"ip link set lo up", "", "", 0},
		{"connect tcp 127.0.0.1:8080", "hello from the root namespace\n", "", 0},
		{"ip netns del s", "", "", 0},
		{"connect -n c -t 100ms tcp 10.0.0.2:8080", "", "connect: tcp 10.0.0.2:8080: Network is unreachable\n", 1},
	}
	for _, tt := range tests {
		stdout, stderr, code := run(t, w, tt.line)
		if stdout != tt.stdout || stderr != tt.stderr || code != tt.code {
			t.Fatalf("%s:\ngot  %d %q %q\nwant %d %q %q", tt.line, code, stdout, stderr, tt.code, tt.stdout, tt.stderr)
		}
	}
}

// TestParseNeverPanics feeds listen and connect every sequence of up to
// three awkward words.
func TestParseNeverPanics(t *testing.T) {
	words := []string{"", "-", "-n", "-t", "tcp", "udp", ":", ":0", "[", "[]:1", "[::]:", "1.2.3.4:",
		":65535", "a:b:c", "[::1]x:1", "\x00"}
	for _, cmd := range []*script.Cmd{service.ListenCmd(), service.ConnectCmd()} {
		realtool.ParseEverySequence(t, cmd, nil, words, 3)
	}
}
