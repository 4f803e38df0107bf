package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolNotInstalled: a tool line whose program is not in the scenario's
// PATH fails with the Debian package to install, even after "!" (a missing
// tool is not the failure a scenario expects), in the foreground, in the
// background, and inside a namespace.
func TestToolNotInstalled(t *testing.T) {
	requireRoot(t)
	tests := []struct{ line, want string }{
		{"tc qdisc show", "tc qdisc show: netscript: tc is not installed (apt-get install iproute2)"},
		{"! nft list ruleset", "nft list ruleset: netscript: nft is not installed (apt-get install nftables)"},
		{"iptables-restore rules.v4", "iptables-restore rules.v4: netscript: iptables-restore is not installed (apt-get install iptables)"},
		{"tcpdump -c 1 &", "tcpdump -c 1 &: netscript: tcpdump is not installed (apt-get install tcpdump)"},
		{"ip netns exec ns0 nc -l 9000 &", "ip netns exec ns0 nc -l 9000 &: netscript: nc is not installed (apt-get install netcat-openbsd)"},
		{"ip netns exec ns0 dig example.", "ip netns exec ns0 dig example.: netscript: dig is not installed (apt-get install bind9-dnsutils)"},
		{"arping -c 1 10.0.0.1", "arping -c 1 10.0.0.1: netscript: arping is not installed (apt-get install iputils-arping)"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			log, failed := runScenario(t, "ip netns add ns0\nenv PATH=$WORK/nothing-here\n"+tt.line+"\n")
			want := "FAIL: FILE:3: " + tt.want + "\n"
			if !failed || !strings.Contains(log, want) {
				t.Errorf("failed %v; want a log with %q. Log:\n%s", failed, want, log)
			}
		})
	}
}

// fakeTool is a stand-in for a real tool, put first in the scenario's
// PATH: it prints its arguments and the links of the namespace it runs in,
// and fails when asked to.
const fakeTool = `#!/bin/sh
echo "args: $*"
tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' '
echo
echo "to stderr" >&2
case "$1" in
fail) exit 3 ;;
hang) cut -d" " -f4 /proc/self/stat > "$2"; exec sleep 1000 ;; # the host pid: $$ is the PID namespace's
esac
`

// TestToolRuns: a tool line runs the program in the namespace the line runs
// in, with the tool's output and exit status; "&" and "&NAME&" start it in
// the background, for testscript's wait and kill.
func TestToolRuns(t *testing.T) {
	requireRoot(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	log, failed := runScenario(t, `mkdir bin
cp nc.sh bin/nc
chmod 755 bin/nc
env PATH=$WORK/bin:$PATH
ip netns add ns0
ip -n ns0 link add vethmark type veth peer name vethpeer

# Foreground, in the root namespace and in ns0.
nc -z 10.0.0.1 80
stdout '^args: -z 10.0.0.1 80$'
stdout '^lo $'
stderr '^to stderr$'
ip netns exec ns0 nc -z
stdout '^lo vethmark vethpeer $'
! nc fail
stdout 'args: fail'

# In the background: wait gives the output, a failure expected with "!"
# is checked by wait.
ip netns exec ns0 nc one &
! nc fail &
wait
stdout '^args: one$'
stdout '^lo vethmark vethpeer $'
stdout '^args: fail$'
stderr -count=2 '^to stderr$'

# Named, waited for one at a time.
nc two &b&
ip netns exec ns0 nc three &c&
wait c
stdout '^args: three$'
! stdout two
wait b
stdout '^args: two$'

# Still running at the end of the scenario: stopped then.
nc hang `+pidFile+` &
retry exec test -s `+pidFile+`
-- nc.sh --
`+fakeTool)
	if failed {
		t.Fatalf("scenario failed:\n%s", log)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the background tool never ran: %v\n%s", err, log)
	}
	var pid int
	if _, err := fmt.Sscan(string(data), &pid); err != nil {
		t.Fatal(err)
	}
	if processExists(pid) {
		t.Errorf("background tool %d outlived its scenario", pid)
	}
}

// TestToolFailures: a background tool's unexpected failure is reported by
// wait, and two background tools cannot share a name.
func TestToolFailures(t *testing.T) {
	requireRoot(t)
	setup := "mkdir bin\ncp nc.sh bin/nc\nchmod 755 bin/nc\nenv PATH=$WORK/bin:$PATH\n"
	tests := []struct{ name, lines, want string }{
		{"wait sees the failure", "nc fail &\nwait\n", "FAIL: FILE:6: unexpected command failure"},
		{"wait sees the success", "! nc ok &\nwait\n", "FAIL: FILE:6: unexpected command success"},
		{"duplicate name", "nc hang $WORK/p1 &x&\nnc hang $WORK/p2 &x&\n", `FAIL: FILE:6: nc hang $WORK/p2 &x&: netscript: duplicate background process name "x"`},
		{"foreground failure", "nc fail\n", "FAIL: FILE:5: nc fail: exit status 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, failed := runScenario(t, setup+tt.lines+"-- nc.sh --\n"+fakeTool)
			if !failed || !strings.Contains(log, tt.want) {
				t.Errorf("failed %v; want a log with %q. Log:\n%s", failed, tt.want, log)
			}
		})
	}
}
