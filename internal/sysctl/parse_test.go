package sysctl

import (
	"errors"
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

func TestSlashdot(t *testing.T) {
	tests := []struct {
		key        string
		old, new   byte
		want, warn string
	}{
		{"net.ipv4.ip_forward", '.', '/', "net/ipv4/ip_forward", ""},
		{"net/ipv4/ip_forward", '.', '/', "net/ipv4/ip_forward", ""},
		{"net/ipv4/ip_forward", '/', '.', "net.ipv4.ip_forward", ""},
		{"net.ipv4.conf.v/1.forwarding", '.', '/', "net/ipv4/conf/v.1/forwarding", ""},
		{"net/ipv4/conf/v.1/forwarding", '/', '.', "net.ipv4.conf.v/1.forwarding", ""},
		{"net.ipv4..ip_forward", '.', '/', "net/ipv4//ip_forward", "sysctl: separators should not be repeated: ..ip_forward"},
		{"net/ipv4/../ipv4/ip_forward", '/', '.', "net.ipv4.//.ipv4.ip_forward", "sysctl: separators should not be repeated: /../ipv4/ip_forward"},
		{"kernel", '.', '/', "kernel", ""},
	}
	for _, tt := range tests {
		got, warn := slashdot(tt.key, tt.old, tt.new)
		if got != tt.want || warn != tt.warn {
			t.Errorf("slashdot(%q, %c, %c) = %q, %q; want %q, %q", tt.key, tt.old, tt.new, got, warn, tt.want, tt.warn)
		}
	}
}

func TestParseSettingLine(t *testing.T) {
	tests := []struct {
		line          string
		ok            bool
		msg           string
		key, path     string
		value         string
		ignoreFailure bool
	}{
		{"net.ipv4.ip_forward=1", true, "", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "1", false},
		{" net.ipv4.ip_forward =  1  ", true, "", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "1", false},
		{"-net.ipv4.ip_forward=1", true, "", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "1", true},
		{"net/ipv4/conf/eth0.100/rp_filter=2", true, "", "net/ipv4/conf/eth0.100/rp_filter", "/proc/sys/net/ipv4/conf/eth0.100/rp_filter", "2", false},
		{"net.ipv4.ip_forward=1=2", true, "", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "1=2", false},
		{"net.ipv4.ip_forward=", true, "", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "", false},
		{"-net.ipv4.ip_forward", true, "", "net.ipv4.ip_forward", "/proc/sys/net/ipv4/ip_forward", "(null)", false},
		{"net.ipv4.ip_forward", false, "sysctl: command line(0): invalid syntax, continuing...", "", "", "", false},
		{"x", false, "", "", "", "", false},
		{"#a=1", false, "", "", "", "", false},
		{";a=1", false, "", "", "", "", false},
		{"=1", true, "", "", "/proc/sys/", "1", false},
	}
	for _, tt := range tests {
		s, ok, msg := parseSettingLine(tt.line, nil)
		if ok != tt.ok || msg != tt.msg || s.key != tt.key || s.path != tt.path || s.value != tt.value || s.ignore != tt.ignoreFailure {
			t.Errorf("parseSettingLine(%q) = %+v, %v, %q", tt.line, s, ok, msg)
		}
	}
}

func TestWritable(t *testing.T) {
	tests := []struct {
		rel  string
		want bool
	}{
		{"net/ipv4/ip_forward", true},
		{"net/ipv4/conf/all/forwarding", true},
		{"net/ipv4/conf/eth0.100/rp_filter", true},
		{"net/ipv4/neigh/veth0/base_reachable_time_ms", true},
		{"net/ipv4/tcp_congestion_control", true},
		{"net/ipv4/ip_local_port_range", true},
		{"net/ipv4/ping_group_range", true},
		{"net/ipv6/conf/all/disable_ipv6", true},
		{"net/ipv6/conf/default/forwarding", true},
		{"net/core/somaxconn", true},
		{"net/ipv4/route/flush", true},
		{"net/netfilter/nf_conntrack_tcp_loose", true},
		// Global: the host's.
		{"kernel/hostname", false},
		{"kernel/ostype", false},
		{"vm/swappiness", false},
		{"fs/file-max", false},
		{"net/core/netdev_max_backlog", false},
		{"net/core/bpf_jit_enable", false},
		{"net/core/default_qdisc", false},
		{"net/ipv4/tcp_mem", false},
		{"net/ipv4/udp_mem", false},
		{"net/ipv4/tcp_max_orphans", false},
		{"net/ipv4/tcp_allowed_congestion_control", false},
		{"net/ipv4/inet_peer_threshold", false},
		{"net/ipv4/ipfrag_secret_interval", false},
		{"net/ipv4/route/gc_thresh", false},
		{"net/ipv4/route/max_size", false},
		{"net/ipv4/neigh/default/gc_thresh1", false},
		{"net/ipv6/neigh/default/gc_thresh3", false},
		{"net/ipv6/mld_max_msf", false},
		{"net/netfilter/nf_conntrack_max", false},
		{"net/netfilter/nf_hooks_lwtunnel", false},
		{"net/nf_conntrack_max", false},
		// Not clean paths are never allowed.
		{"net/ipv4/../../kernel/hostname", false},
		{"net/ipv4//ip_forward", false},
		{"/net/ipv4/ip_forward", false},
	}
	for _, tt := range tests {
		if got := writable(tt.rel); got != tt.want {
			t.Errorf("writable(%q) = %v, want %v", tt.rel, got, tt.want)
		}
	}
}

// TestParse checks the command lines whose result does not depend on the
// namespace: parse errors, refusals, help and version.
func TestParse(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		parseErr bool
		stdout   string // prefix
		stderr   string // prefix
	}{
		{nil, 1, true, "", "\nUsage:\n sysctl [options]"},
		{[]string{"-x"}, 1, true, "", "sysctl: no variables specified\nTry `sysctl --help' for more information.\n"},
		{[]string{"-N", "-q", "net.ipv4.ip_forward"}, 1, true, "", "sysctl: options -N and -q cannot coexist\n"},
		{[]string{"-V"}, 0, false, "sysctl from procps-ng 4.0.2\n", ""},
		{[]string{"--version"}, 0, false, "sysctl from procps-ng 4.0.2\n", ""},
		{[]string{"-h"}, 0, false, "\nUsage:\n", ""},
		{[]string{"-d", "x"}, 0, false, "\nUsage:\n", ""},
		{[]string{"-Z"}, 0, false, "\nUsage:\n", "sysctl: invalid option -- 'Z'\n"},
		{[]string{"--foo"}, 0, false, "\nUsage:\n", "sysctl: unrecognized option '--foo'\n"},
		{[]string{"-r"}, 0, false, "\nUsage:\n", "sysctl: option requires an argument -- 'r'\n"},
		{[]string{"-p"}, 1, true, "", "sysctl: netscript does not load settings from files (-p)"},
		{[]string{"--system"}, 1, true, "", "sysctl: netscript does not apply the host's configuration files"},
		{[]string{"-w", "kernel.hostname=x"}, 1, true, "", "sysctl: netscript refuses to write kernel.hostname: it is not kept per network namespace"},
		{[]string{"kernel.hostname=x"}, 1, true, "", "sysctl: netscript refuses to write kernel.hostname:"},
		{[]string{"-q", "vm/swappiness=10"}, 1, true, "", "sysctl: netscript refuses to write vm.swappiness:"},
		{[]string{"net.core.netdev_max_backlog=1"}, 1, true, "", "sysctl: netscript refuses to write net.core.netdev_max_backlog:"},
		{[]string{"-w", "net.ipv4.tcp_mem=1 2 3"}, 1, true, "", "sysctl: netscript refuses to write net.ipv4.tcp_mem:"},
		{[]string{"--dry-run", "-w", "kernel.hostname=x"}, 1, true, "", "sysctl: netscript refuses to write kernel.hostname:"},
		{[]string{"-e", "-w", "--", "-kernel.hostname=x"}, 1, true, "", "sysctl: netscript refuses to write kernel.hostname:"},
		{[]string{"-w", "net.ipv4.ip_forward=1", "net/ipv4/../../kernel/hostname=x"}, 1, true, "", "sysctl: netscript refuses to write kernel.hostname:"},
		{[]string{"-w", "net.ipv4.neigh.default.gc_thresh1=1"}, 1, true, "", "sysctl: netscript refuses to write net.ipv4.neigh.default.gc_thresh1:"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			act, err := parse(tt.args)
			var stdout, stderr strings.Builder
			code, parseErr := 0, false
			if err != nil {
				var e *script.ExitError
				if !errors.As(err, &e) {
					t.Fatalf("parse error is not an ExitError: %v", err)
				}
				code, parseErr = e.Code, true
				stderr.WriteString(e.Msg + "\n")
			} else {
				code = script.ExitCode(act.Run(&script.State{Stdout: &stdout, Stderr: &stderr}))
			}
			if code != tt.code || parseErr != tt.parseErr {
				t.Errorf("exit %d (parse error %v), want %d (%v)", code, parseErr, tt.code, tt.parseErr)
			}
			if !strings.HasPrefix(stdout.String(), tt.stdout) || (tt.stdout == "" && stdout.Len() > 0) {
				t.Errorf("stdout:\n%s\nwant prefix:\n%s", stdout.String(), tt.stdout)
			}
			if !strings.HasPrefix(stderr.String(), tt.stderr) || (tt.stderr == "" && stderr.Len() > 0) {
				t.Errorf("stderr:\n%s\nwant prefix:\n%s", stderr.String(), tt.stderr)
			}
		})
	}
}

// TestParseAccepts checks that per-namespace writes and any read parse.
func TestParseAccepts(t *testing.T) {
	for _, args := range [][]string{
		{"net.ipv4.ip_forward=1"},
		{"-w", "net.ipv4.ip_forward=1", "net/ipv4/conf/all/forwarding=1"},
		{"-w", "net.ipv4.conf.eth0/100.rp_filter=2"},
		{"-w", "net.ipv6.conf.all.disable_ipv6=1"},
		{"-q", "-w", "-net.ipv4.ip_forward=1"},
		{"kernel.hostname", "vm.swappiness", "net.core.netdev_max_backlog"},
		{"-w", "net.ipv4.ip_forward"},          // invalid syntax, at run time
		{"-w", "=1"},                           // not under /proc/sys/, at run time
		{"-w", "net/../../../etc/passwd=x"},    // not under /proc/sys/, at run time
		{"-w", "-r", "nomatch", "kernel.x=1"},  // the pattern skips it
		{"-w", "net.ipv4.conf.*.forwarding=1"}, // no globbing on the command line
		{"-a"},
	} {
		if _, err := parse(args); err != nil {
			t.Errorf("parse(%q): %v", args, err)
		}
	}
}
