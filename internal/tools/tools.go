// Package tools makes the usual Linux network tools scenario commands:
// "tc qdisc add ...", "nft -f rules.nft", "tcpdump -c 2 ... &" are lines
// exactly as typed in a terminal, each running the real program, from the
// machine's PATH, inside the namespace the line runs in (the scenario's
// root, or NS under "ip netns exec NS"). Nothing of the tools is imitated:
// their grammar, output and exit statuses are their own.
package tools

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/netscript/netscript/internal/getopt"
	"github.com/netscript/netscript/internal/jobs"
	"github.com/netscript/netscript/script"
)

// Tool is a real program that scenarios run by name.
type Tool struct {
	Name    string // the command, as typed
	Package string // the Debian package that installs it
	Summary string // what it does, in one line
	// Note is a paragraph of help particular to the tool, or "".
	Note string
}

// Tools lists the programs scenario lines run by name, in the order of
// "netscript help".
var Tools = []Tool{
	{"tc", "iproute2", "traffic control: qdiscs, classes and filters", ""},
	{"nft", "nftables", "the nftables firewall: tables, chains, rules and sets", ""},
	{"iptables", "iptables", "IPv4 packet filter and NAT rules", ""},
	{"ip6tables", "iptables", "IPv6 packet filter rules", ""},
	{"iptables-save", "iptables", "print the iptables rules", ""},
	{"iptables-restore", "iptables", "load iptables rules from a file or standard input", ""},
	{"ebtables", "ebtables", "Ethernet bridge frame filter rules", ""},
	{"ethtool", "ethtool", "query and change a network device's driver and link settings", ""},
	{"ss", "iproute2", "list sockets", ""},
	{"tcpdump", "tcpdump", "capture and print packets", "tcpdump runs until it is stopped: give it -c COUNT (or -w FILE with -G, -W) " +
		"and start it in the background, as \"tcpdump -n -l -i veth0 -c 2 icmp &\", then run the " +
		"traffic, then \"wait\" and check stdout. \"netscript check\" warns about a tcpdump line " +
		"with none of -c, -w, -G."},
	{"arping", "iputils-arping", "send ARP requests to a neighbour", ""},
	{"conntrack", "conntrack", "list and change the connection tracking table", ""},
	{"socat", "socat", "relay data between sockets, files and programs", ""},
	{"nc", "netcat-openbsd", "open TCP and UDP connections and listeners (OpenBSD netcat)", ""},
	{"traceroute", "traceroute", "print the hops to a host", ""},
	{"tracepath", "iputils-tracepath", "trace the path to a host and its MTU", ""},
	{"dig", "bind9-dnsutils", "query DNS servers", ""},
}

// Lookup returns the tool named name.
func Lookup(name string) (Tool, bool) {
	for _, t := range Tools {
		if t.Name == name {
			return t, true
		}
	}
	return Tool{}, false
}

// Cmds returns the command table's entries for Tools.
func Cmds() []*script.Cmd {
	cmds := make([]*script.Cmd, len(Tools))
	for i, t := range Tools {
		cmds[i] = t.Cmd()
	}
	return cmds
}

// Cmd returns the command table's entry for t.
func (t Tool) Cmd() *script.Cmd {
	detail := []string{
		fmt.Sprintf("%s runs the real %s program (Debian package %s), found in the scenario's PATH, "+
			"inside the namespace the line runs in: the scenario's root namespace, or NS under "+
			"\"ip netns exec NS %s ...\". Its arguments, output, messages and exit status are "+
			"the tool's own; it runs under the scenario's deadline.", t.Name, t.Name, t.Package, t.Name),
		fmt.Sprintf("Where %s is not installed, the line fails, even after \"!\", with \"%s\". "+
			"Start the line with [exec:%s] to run it only where the tool is.", t.Name, t.missing(), t.Name),
		"With a trailing \"&\" (or \"&NAME&\") it runs in the background, as testscript's " +
			"\"exec PROGRAM &\": \"wait\" (or \"wait NAME\") waits for it to exit and sets stdout and " +
			"stderr to its output, \"kill\" signals it, and at the end of the scenario it is " +
			"interrupted; whatever is left of it is stopped with its namespace.",
	}
	if t.Note != "" {
		detail = append(detail, t.Note)
	}
	return &script.Cmd{
		Name: t.Name,
		Usage: script.Usage{
			Summary: fmt.Sprintf("%s (runs the real %s; apt-get install %s)", t.Summary, t.Name, t.Package),
			Args:    "[ARGS...] [&]",
			Detail:  detail,
		},
		Background: true,
		Parse:      t.parse,
	}
}

// missing is the error text for a line whose tool is not installed.
func (t Tool) missing() string {
	return fmt.Sprintf("%s is not installed (apt-get install %s)", t.Name, t.Package)
}

// backgroundSuffix is testscript's: "&" or "&NAME&" ends a line that runs
// in the background.
var backgroundSuffix = regexp.MustCompile(`^&([a-zA-Z_0-9]+&)?$`)

// parse takes the tool's arguments as they are; only a trailing "&" or
// "&NAME&" is netscript's.
func (t Tool) parse(args []string) (script.Action, error) {
	bg, name := false, ""
	if n := len(args); n > 0 && backgroundSuffix.MatchString(args[n-1]) {
		bg, name = true, strings.Trim(args[n-1], "&")
		args = args[:n-1]
	}
	return script.ActionFunc(func(s *script.State) error {
		if _, err := jobs.LookPath(s, t.Name); err != nil {
			return fmt.Errorf("%s", t.missing())
		}
		// argv[0] is the name as typed, which the tools print in their
		// messages ("tcpdump: unrecognized option ...").
		argv := append([]string{t.Name}, args...)
		if !bg {
			return jobs.Run(s, argv)
		}
		if s.Background == nil {
			// No scenario to wait for it: it runs, its output
			// discarded, until its namespace closes.
			return jobs.Start(s, argv)
		}
		cmd, done, err := jobs.StartOutput(s, argv, new(strings.Builder), new(strings.Builder))
		if err != nil {
			return err
		}
		return s.Background(script.Job{Name: name, Cmd: cmd, Done: done})
	}), nil
}

// tcpdumpOptions are tcpdump 4.99's options, for getopt.
var tcpdumpOptions = getopt.Spec{
	Prog:  "tcpdump",
	Short: "aAbB:c:C:dDeE:fF:G:hHi:IjJ:KlLm:M:nNOpQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#",
	Long: []getopt.Long{
		{Name: "buffer-size", HasArg: getopt.RequiredArgument, Val: 'B'},
		{Name: "count", HasArg: getopt.NoArgument, Val: 1},
		{Name: "direction", HasArg: getopt.RequiredArgument, Val: 'Q'},
		{Name: "help", HasArg: getopt.NoArgument, Val: 'h'},
		{Name: "immediate-mode", HasArg: getopt.NoArgument, Val: 2},
		{Name: "interface", HasArg: getopt.RequiredArgument, Val: 'i'},
		{Name: "list-interfaces", HasArg: getopt.NoArgument, Val: 'D'},
		{Name: "list-time-stamp-types", HasArg: getopt.NoArgument, Val: 'J'},
		{Name: "micro", HasArg: getopt.NoArgument, Val: 3},
		{Name: "nano", HasArg: getopt.NoArgument, Val: 4},
		{Name: "number", HasArg: getopt.NoArgument, Val: '#'},
		{Name: "print", HasArg: getopt.NoArgument, Val: 5},
		{Name: "relinquish-privileges", HasArg: getopt.RequiredArgument, Val: 'Z'},
		{Name: "snapshot-length", HasArg: getopt.RequiredArgument, Val: 's'},
		{Name: "time-stamp-precision", HasArg: getopt.RequiredArgument, Val: 6},
		{Name: "time-stamp-type", HasArg: getopt.RequiredArgument, Val: 'j'},
		{Name: "version", HasArg: getopt.NoArgument, Val: 7},
	},
}

// TcpdumpUnbounded reports whether "tcpdump ARGS" captures until it is
// stopped: none of -c, -w, -G is given, nor an option that ends it by
// itself (-r FILE, -D, -L, -J, -h, --version). "netscript check" warns
// about such a line.
func TcpdumpUnbounded(args []string) bool {
	opts, _ := tcpdumpOptions.Parse(args)
	for _, o := range opts {
		switch o.C {
		case 'c', 'w', 'G', 'r', 'D', 'L', 'J', 'h', '?', 7:
			return false
		}
	}
	return true
}
