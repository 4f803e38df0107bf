package nettools

import (
	"errors"
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

// runStatic parses args and, when that yields an action, runs it without a
// namespace: only for command lines whose output does not depend on one.
func runStatic(t *testing.T, args []string) (stdout, stderr string, code int, parseErr bool) {
	t.Helper()
	act, err := parseRoute(args)
	if err != nil {
		var e *script.ExitError
		if !errors.As(err, &e) {
			t.Fatalf("route %q: parse error is not an ExitError: %v", args, err)
		}
		return "", e.Msg + "\n", e.Code, true
	}
	var out, errb strings.Builder
	err = act.Run(&script.State{Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), script.ExitCode(err), false
}

// TestRouteParseStatic checks the command lines whose result net-tools
// decides before reading any table. The differential test compares the same
// lines byte for byte with the real route.
func TestRouteParseStatic(t *testing.T) {
	tests := []struct {
		args           []string
		code           int
		parseErr       bool   // a parse error (stderr only, lint can see it)
		stdout, stderr string // prefixes
	}{
		{[]string{"-V"}, 0, false, "net-tools 2.10\n", ""},
		{[]string{"--version"}, 0, false, "net-tools 2.10\n", ""},
		{[]string{"-x", "-V"}, 0, false, "net-tools 2.10\n", "route: invalid option -- 'x'\n"},
		{[]string{"-h"}, 0, false, "Usage: route [-nNvee]", "    inet (DARPA Internet)"},
		{[]string{"--help"}, 0, false, "Usage: route [-nNvee]", "    inet (DARPA Internet)"},
		{[]string{"-n", "-x"}, 0, false, "Usage: route", "route: invalid option -- 'x'\n    inet"},
		{[]string{"--ver"}, 0, false, "Usage: route", "route: option '--ver' is ambiguous; possibilities: '--verbose' '--version'\n"},
		{[]string{"--numeric=3"}, 0, false, "Usage: route", "route: option '--numeric' doesn't allow an argument\n"},
		{[]string{"--protocol"}, 0, false, "Usage: route", "route: option '--protocol' requires an argument\n"},
		{[]string{"-A"}, 0, false, "Usage: route", "route: option requires an argument -- 'A'\n"},
		{[]string{"-n", "--foo"}, 0, false, "Usage: route", "route: unrecognized option '--foo'\n"},
		{[]string{"foo"}, 3, true, "", "Usage: route [-nNvee]"},
		{[]string{"-n", "--", "foo"}, 3, true, "", "Usage: route"},
		{[]string{"-A", "foo", "-n"}, 1, true, "", "Unknown address family `foo'.\n"},
		{[]string{"-n", "-A", "inet,foo"}, 1, true, "", "Unknown address family `foo'.\n"},
		{[]string{"add"}, 0, false, "Usage: inet_route [-vF] del", ""},
		{[]string{"-n", "del"}, 0, false, "Usage: inet_route", ""},
		{[]string{"-h", "-4"}, 0, false, "Usage: inet_route", ""},
		{[]string{"-h", "-6"}, 0, false, "Usage: inet6_route [-vF] del Target\n", ""},
		{[]string{"flush"}, 3, true, "", "Flushing `inet' routing table not supported\nUsage: inet_route"},
		{[]string{"-6", "flush"}, 3, true, "", "Flushing `inet6' routing table not supported\nUsage: inet6_route"},
		{[]string{"-nC", "add", "1"}, 3, true, "", "Modifying `inet' routing cache not supported\n"},
		{[]string{"-4", "-6", "add", "1"}, 3, true, "", "Please don't supply more than one address family.\nAddress family `inet,inet6' not supported.\n"},
		{[]string{"-h", "-A", "unix"}, 3, true, "", "No routing for address family `unix'.\n"},
		{[]string{"-A", "ax25", "-h"}, 3, true, "", "No routing for address family `ax25'.\n"},
		{[]string{"-n", "-6", "add", "fd00::/64", "dev", "lo"}, 3, true, "", "route add: `inet6' routes are not implemented by netscript"},
		{[]string{"-n", "add", "-net", "10.0.0.0", "netmask", "255.0.0.255"}, 3, true, "", "route: bogus netmask 255.0.0.255\nUsage: inet_route"},
		{[]string{"add", "-net", "foo"}, 6, true, "", "route: looking up the name \"foo\" is not implemented by netscript"},
		{[]string{"-A", "x25", "-h"}, 3, true, "", "route: address family `x25' is not implemented by netscript"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code, parseErr := runStatic(t, tt.args)
			if code != tt.code || parseErr != tt.parseErr {
				t.Errorf("exit %d (parse error %v), want %d (%v)", code, parseErr, tt.code, tt.parseErr)
			}
			if !strings.HasPrefix(stdout, tt.stdout) || (tt.stdout == "" && stdout != "") {
				t.Errorf("stdout:\n%s\nwant prefix:\n%s", stdout, tt.stdout)
			}
			if !strings.HasPrefix(stderr, tt.stderr) || (tt.stderr == "" && stderr != "") {
				t.Errorf("stderr:\n%s\nwant prefix:\n%s", stderr, tt.stderr)
			}
		})
	}
}

// TestRouteParseShow checks what the table-showing command lines ask for.
func TestRouteParseShow(t *testing.T) {
	tests := []struct {
		args     []string
		afname   string
		extend   int
		numeric  bool
		fib      bool
		cache    bool
		warnings int
	}{
		{[]string{"-n"}, "inet", 1, true, true, false, 0},
		{[]string{"-N"}, "inet", 1, true, true, false, 0},
		{[]string{}, "inet", 1, false, true, false, 0},
		{[]string{"-ne"}, "inet", 2, true, true, false, 0},
		{[]string{"-n", "-ee"}, "inet", 3, true, true, false, 0},
		{[]string{"-neee"}, "inet", 0, true, true, false, 0},
		{[]string{"-n", "-A", "inet"}, "inet", 1, true, true, false, 0},
		{[]string{"-n4"}, "inet", 1, true, true, false, 0},
		{[]string{"-n", "-4", "-A", "inet"}, "inet,inet", 1, true, true, false, 0},
		{[]string{"--in", "-n"}, "inet", 1, true, true, false, 0},
		{[]string{"--i", "-n"}, "inet", 1, true, true, false, 0},
		{[]string{"--e", "-n"}, "inet", 2, true, true, false, 0},
		{[]string{"-nC"}, "inet", 1, true, false, true, 0},
		{[]string{"-nCF"}, "inet", 1, true, true, true, 0},
		{[]string{"-n", "--tcpip"}, "inet", 1, true, true, false, 1},
		{[]string{"-nA", "inet6,inet"}, "inet6,inet", 1, true, true, false, 0},
		{[]string{"--protocol=ip", "-n", "-v"}, "inet", 1, true, true, false, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			p, act, err := readRoute(tt.args)
			if p == nil {
				t.Fatalf("not a show request: action %v, error %v", act != nil, err)
			}
			o := p.showOpts()
			ext, fib := o.extend, o.fib
			if p.afname != tt.afname || ext != tt.extend || p.numeric != tt.numeric ||
				fib != tt.fib || p.cache != tt.cache || len(p.warnings) != tt.warnings {
				t.Errorf("got afname %q extend %d numeric %v fib %v cache %v warnings %q",
					p.afname, ext, p.numeric, fib, p.cache, p.warnings)
			}
		})
	}
}
