package cmptime

import (
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

// article is the article's ping, as a terminal showed it.
const article = `PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.
64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.031 ms
64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.044 ms

--- 10.0.0.2 ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1001ms
rtt min/avg/max/mdev = 0.031/0.037/0.044/0.006 ms
`

func TestEqual(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  string
		want bool
	}{
		{"same text", article, true},
		{"other times", strings.NewReplacer("time=0.031 ms", "time=12.5 ms", "time=0.044 ms", "time=103 ms",
			"time 1001ms", "time 3ms", "0.031/0.037/0.044/0.006", "12.500/57.750/103.000/45.250").Replace(article), true},
		{"pipe", strings.Replace(article, "0.006 ms\n", "0.006 ms, pipe 2\n", 1), true},
		// ipg/ewma is printed for -i 0 and flood pings: an option's doing,
		// not timing; only its figures are.
		{"ipg/ewma not asked for", strings.Replace(article, "0.006 ms\n", "0.006 ms, ipg/ewma 0.120/0.036 ms\n", 1), false},
		{"other count", strings.Replace(article, "2 received, 0%", "1 received, 50%", 1), false},
		{"other address", strings.ReplaceAll(article, "10.0.0.2", "10.0.0.3"), false},
		{"other sequence", strings.Replace(article, "icmp_seq=2", "icmp_seq=3", 1), false},
		{"other ttl", strings.Replace(article, "ttl=64", "ttl=63", 1), false},
		{"a line less", strings.Replace(article, "64 bytes from 10.0.0.2: icmp_seq=2 ttl=64 time=0.044 ms\n", "", 1), false},
		{"no trailing newline", strings.TrimSuffix(article, "\n"), false},
		{"time without unit", strings.Replace(article, "time=0.031 ms", "time=0.031", 1), false},
	} {
		if got := Equal(tc.got, article); got != tc.want {
			t.Errorf("%s: Equal = %v, want %v\n%s", tc.name, got, tc.want, tc.got)
		}
	}
	flood := strings.Replace(article, "0.006 ms\n", "0.006 ms, ipg/ewma 0.120/0.036 ms\n", 1)
	for _, got := range []string{
		strings.Replace(flood, "ipg/ewma 0.120/0.036", "ipg/ewma 1.250/10.036", 1),
		strings.Replace(flood, "0.006 ms, ipg", "0.006 ms, pipe 3, ipg", 1),
	} {
		if !Equal(got, flood) {
			t.Errorf("Equal = false for\n%s\nand\n%s", got, flood)
		}
	}
	lost := "\n--- 10.0.0.2 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2003ms\n"
	if !Equal(lost+"pipe 3\n", lost+"\n") {
		t.Error("a lone \"pipe 3\" line differs from ping's empty line")
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"stdout", "want"}, ""},
		{[]string{"stderr", "want"}, ""},
		{[]string{"stdout"}, "usage: cmptime stdout|stderr FILE"},
		{[]string{"stdout", "a", "b"}, "usage: cmptime stdout|stderr FILE"},
		{[]string{"ttyout", "want"}, `cmptime: compares stdout or stderr, not "ttyout"`},
		{[]string{"stdout", "stderr"}, `cmptime: FILE must be a file of the scenario, not "stderr"`},
	} {
		_, err := parse(tc.args)
		if tc.err == "" {
			if err != nil {
				t.Errorf("parse(%q): %v", tc.args, err)
			}
			continue
		}
		e, ok := err.(*script.ExitError)
		if !ok || e.Msg != tc.err || e.Code != exitUsage {
			t.Errorf("parse(%q) = %v; want %q, status %d", tc.args, err, tc.err, exitUsage)
		}
	}
}

// TestOutsideScenario checks that cmptime says so when nothing can give it
// the last command's output.
func TestOutsideScenario(t *testing.T) {
	act, err := parse([]string{"stdout", "want"})
	if err != nil {
		t.Fatal(err)
	}
	if err := act.Run(&script.State{}); err == nil || !strings.Contains(err.Error(), "only inside a scenario") {
		t.Errorf("cmptime outside a scenario: %v", err)
	}
}
