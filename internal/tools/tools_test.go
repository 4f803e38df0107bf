package tools

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

func TestTcpdumpUnbounded(t *testing.T) {
	for _, tt := range []struct {
		args string
		want bool
	}{
		{"-n -i veth0", true},
		{"-n -i veth0 icmp", true},
		{"-ni veth0 -l", true},
		{"-c 2 -n -i veth0", false},
		{"-nc2 -i veth0", false},
		{"-n -i veth0 icmp -c 2", false},
		{"-w out.pcap -i veth0", false},
		{"-G 10 -w out-%s.pcap", false},
		{"-r in.pcap", false},
		{"-D", false},
		{"--version", false},
		{"--interface=veth0 --count", true},
		{"-i -c", true}, // -c is the interface's name
		{"-n -- -c", true},
	} {
		if got := TcpdumpUnbounded(strings.Fields(tt.args)); got != tt.want {
			t.Errorf("TcpdumpUnbounded(%q) = %v; want %v", tt.args, got, tt.want)
		}
	}
}

// TestParseBackground: only a trailing "&" or "&NAME&" is netscript's; the
// rest goes to the tool as written.
func TestParseBackground(t *testing.T) {
	for _, tt := range []struct {
		args       string
		background bool
		name       string
	}{
		{"-c 1", false, ""},
		{"-c 1 &", true, ""},
		{"-c 1 &cap&", true, "cap"},
		{"& -c 1", false, ""},
		{"-c 1 &bad-name&", false, ""},
	} {
		tool, _ := Lookup("tcpdump")
		act, err := tool.parse(strings.Fields(tt.args))
		if err != nil {
			t.Fatalf("parse(%q): %v", tt.args, err)
		}
		// Without a PATH holding tcpdump, the action says so before it
		// starts anything; with one, a background start hands the program
		// to the scenario, with its name.
		s := &script.State{Env: []string{"PATH=/nonexistent"}}
		if err := act.Run(s); err == nil || err.Error() != "tcpdump is not installed (apt-get install tcpdump)" {
			t.Errorf("%q without tcpdump: %v", tt.args, err)
		}
		if !tt.background {
			continue
		}
		if privilege.Missing() != "" {
			continue // starting it needs the scenario's namespace
		}
		w, err := world.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "tcpdump"), []byte("#!/bin/sh\necho \"$@\"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		var job script.Job
		s = &script.State{Ctx: context.Background(), World: w, NS: w.Root(), Dir: dir, Env: []string{"PATH=" + dir},
			Background: func(j script.Job) error { job = j; return nil }}
		if err := act.Run(s); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		<-job.Done
		if job.Name != tt.name || job.Cmd.Stdout.(*strings.Builder).String() != "-c 1\n" {
			t.Errorf("%q: job %q printed %q; want %q printing %q", tt.args, job.Name, job.Cmd.Stdout, tt.name, "-c 1\n")
		}
	}
}

// TestTable: every tool is a command that takes "&", with a summary saying
// it runs the real tool and which package has it.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Cmds() {
		if seen[c.Name] {
			t.Errorf("%s listed twice", c.Name)
		}
		seen[c.Name] = true
		tool, ok := Lookup(c.Name)
		if !ok || !c.Background || !strings.Contains(c.Usage.Summary, "runs the real "+c.Name+"; apt-get install "+tool.Package) {
			t.Errorf("%s: %+v", c.Name, c.Usage)
		}
	}
	for _, name := range []string{"tc", "nft", "iptables", "ip6tables", "iptables-save", "iptables-restore", "ebtables",
		"ethtool", "ss", "tcpdump", "arping", "conntrack", "socat", "nc", "traceroute", "tracepath", "dig"} {
		if !seen[name] {
			t.Errorf("%s missing", name)
		}
	}
}
