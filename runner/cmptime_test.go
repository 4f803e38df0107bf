package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// vethPing is the article's set-up: a veth pair between ns0 (10.0.0.1) and
// ns1 (10.0.0.2), then a ping from ns0 whose output is kept.
const vethPing = `ip netns add ns0
ip netns add ns1
ip link add veth0 type veth peer name veth2
ip link set veth0 netns ns0
ip link set veth2 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns1 addr add 10.0.0.2/24 dev veth2
ip -n ns0 link set veth0 up
ip -n ns1 link set veth2 up
ip netns exec ns0 ping -c 2 -i 0.01 10.0.0.2
`

// articlePing is the article's ping output, pasted from a terminal.
const articlePing = `PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.031 ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.044 ms

--- 10.0.0.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1001ms
rtt min/avg/max/mdev = 0.031/0.037/0.044/0.006 ms
`

// TestCmptime runs cmptime against a real ping: the pasted output passes,
// a golden with other counts or addresses fails with a diff, and the last
// output stays for the next check, as after cmp.
func TestCmptime(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		name   string
		checks string
		golden string
		fail   []string // what the log must hold; nil: the scenario passes
	}{
		{"pasted output", "cmptime stdout want\nstdout 'icmp_seq=2 ttl=64'\n", articlePing, nil},
		{"other count", "cmptime stdout want\n", strings.Replace(articlePing, "2 received, 0%", "1 received, 50%", 1),
			[]string{"FAIL: FILE:12: cmptime stdout want: stdout and want differ (timing figures aside) (exit status 1)",
				"-2 packets transmitted, 2 received, 0% packet loss, time Tms",
				"+2 packets transmitted, 1 received, 50% packet loss, time Tms"}},
		{"other address", "cmptime stdout want\n", strings.ReplaceAll(articlePing, "10.0.0.2", "10.0.0.3"),
			[]string{"stdout and want differ", "+64 bytes from 10.0.0.3: icmp_seq=1 ttl=64 time=T ms"}},
		{"negated", "! cmptime stdout want\n", strings.ReplaceAll(articlePing, "10.0.0.2", "10.0.0.3"), nil},
		{"negated but equal", "! cmptime stdout want\n", articlePing,
			[]string{"FAIL: FILE:12: cmptime stdout want: unexpected success"}},
		{"stderr", "cmptime stderr want\n", "", nil},
		{"missing file", "cmptime stdout nothere\n", articlePing,
			[]string{"FAIL: FILE:12: cmptime stdout nothere: netscript: cmptime: open ", "nothere: no such file or directory"}},
		{"bad usage", "cmptime stdout\n", articlePing,
			[]string{"FAIL: FILE:12: cmptime stdout: usage: cmptime stdout|stderr FILE (exit status 2)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log, failed := runScenario(t, vethPing+"\n"+tc.checks+"-- want --\n"+tc.golden)
			if failed != (tc.fail != nil) {
				t.Fatalf("failed = %v, want %v. Log:\n%s", failed, tc.fail != nil, log)
			}
			for _, w := range tc.fail {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q. Log:\n%s", w, log)
				}
			}
		})
	}
}

// TestCmptimeUpdate checks that with -update a failing cmptime rewrites its
// golden file with the real output, alongside cmp's own updates, and leaves
// alone a golden that differs only in timing figures.
func TestCmptimeUpdate(t *testing.T) {
	requireRoot(t)
	t.Setenv(UpdateEnv, "1")
	file := filepath.Join(t.TempDir(), "update.txtar")
	script := vethPing + "cmptime stdout ping.out\ncmptime stdout pasted\nip netns list\ncmp stdout list\n"
	text := script + "-- ping.out --\n64 bytes from 10.9.9.9\n-- pasted --\n" + articlePing + "-- list --\nwrong\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file)}))
	if ft.Failed() {
		t.Fatalf("update run failed:\n%s", ft)
	}
	if !strings.Contains(ft.String(), file+" updated") {
		t.Errorf("the log does not say the file was updated:\n%s", ft)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	if !strings.HasPrefix(got, script+"-- ping.out --\nPING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.\n64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=") {
		t.Errorf("ping.out was not rewritten with ping's output:\n%s", got)
	}
	if !strings.Contains(got, "rtt min/avg/max/mdev = ") {
		t.Errorf("the rewritten golden lacks the statistics:\n%s", got)
	}
	if !strings.HasSuffix(got, "-- pasted --\n"+articlePing+"-- list --\nns1 (id: 1)\nns0 (id: 0)\n") {
		t.Errorf("cmp's update or the passing golden changed:\n%s", got)
	}
	// The rewritten file passes as it is, without -update.
	t.Setenv(UpdateEnv, "")
	ft = &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file)}))
	if ft.Failed() {
		t.Errorf("the updated scenario fails:\n%s", ft)
	}
}
