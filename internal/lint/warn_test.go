package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePath gives the test a PATH holding only the named programs, so that
// what is "installed" does not depend on the machine.
func fakePath(t *testing.T, progs ...string) {
	dir := t.TempDir()
	for _, p := range progs {
		if err := os.WriteFile(filepath.Join(dir, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
}

// TestWarnings: what may go wrong when a line runs is a warning, with the
// fix; lines that cannot go wrong that way get none.
func TestWarnings(t *testing.T) {
	fakePath(t, "tcpdump", "sh")
	script := `ip netns add ns0
ping 10.0.0.1
ping -c 1 10.0.0.1
ip netns exec ns0 ping -w 2 10.0.0.1
ip netns exec ns0 ping6 fd00::1
! ping -q 10.0.0.9
ping -V
tcpdump -n -i veth0 &
tcpdump -ni veth0 -c2 icmp &
ip netns exec ns0 tcpdump -w x.pcap &
ip netns exec ns0 tcpdump --version
exec tcpdump -i veth0
nft list ruleset
[exec:nft] nft list ruleset
[!exec:nft] ip netns exec ns0 iptables -S
ip netns exec ns0 frob --now
exec tc -V
ip netns exec ns0 sh -c true
[!exec:conntrack] skip 'needs conntrack'
conntrack -L
`
	want := []string{
		`2: warning: ping without -c or -w runs until the scenario's deadline (in a terminal, until ^C): give it a count, as ping -c 3 ..., or a deadline, as -w 5`,
		`5: warning: ping6 without -c or -w runs until the scenario's deadline (in a terminal, until ^C): give it a count, as ping6 -c 3 ..., or a deadline, as -w 5`,
		`6: warning: ping without -c or -w runs until the scenario's deadline (in a terminal, until ^C): give it a count, as ping -c 3 ..., or a deadline, as -w 5`,
		`8: warning: tcpdump without -c, -w or -G captures until the scenario ends: give it a count, as tcpdump -c 10 ..., and start it in the background with &`,
		`12: warning: tcpdump without -c, -w or -G captures until the scenario ends: give it a count, as tcpdump -c 10 ..., and start it in the background with &`,
		`13: warning: nft is not installed here (apt-get install nftables): the line fails where it is missing; [exec:nft] runs it only where it is`,
		`16: warning: frob is neither a netscript command nor a program installed here: a misspelt name, or a tool to install ([exec:frob] runs the line only where it is)`,
		`17: warning: tc is not installed here (apt-get install iproute2): the line fails where it is missing; [exec:tc] runs it only where it is`,
	}
	// What a tool writes may be read later: tcpdump -w wrote x.pcap.
	script += "exists x.pcap\ncp x.pcap y.pcap\n"
	var c Checker
	var got []string
	for _, d := range c.Scenario("s.txtar", []byte(script)) {
		if !d.Warning {
			t.Errorf("not a warning: %s", d)
		}
		got = append(got, strings.TrimPrefix(d.String(), "s.txtar:"))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestWarningsExitZero: netscript check prints warnings but exits 0 when
// they are all it found; an error still makes it exit 1.
func TestWarningsExitZero(t *testing.T) {
	fakePath(t)
	dir := t.TempDir()
	warnOnly := filepath.Join(dir, "warn.txtar")
	withError := filepath.Join(dir, "error.txtar")
	if err := os.WriteFile(warnOnly, []byte("ping 10.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(withError, []byte("ping 10.0.0.1\nip link set veth0 up\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		code int
	}{{warnOnly, ExitClean}, {withError, ExitProblems}} {
		var stdout, stderr bytes.Buffer
		code := Main([]string{tt.file}, &stdout, &stderr)
		wantWarn := tt.file + ":1: warning: ping without -c or -w"
		if code != tt.code || !strings.Contains(stderr.String(), wantWarn) {
			t.Errorf("Main(%s) = %d, stderr %q; want %d and %q", tt.file, code, stderr.String(), tt.code, wantWarn)
		}
	}
}
