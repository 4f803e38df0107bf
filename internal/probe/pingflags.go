package probe

import (
	"fmt"
	"math"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/getopt"
	"github.com/netscript/netscript/script"
)

// Exit statuses of iputils ping.
const (
	exitNoReply = 1 // no reply came; also argument errors of strtol_or_err
	exitError   = 2 // any other error
)

// Defaults of iputils ping 20221126.
const (
	defaultInterval = 1000  // milliseconds between echo requests
	defaultLinger   = 10000 // -W: milliseconds to wait when no reply came (MAXWAIT)
	dataLen         = 56    // bytes of data after the ICMP header (DEFDATALEN)
	minInterval     = 10    // milliseconds; the shortest gap iputils waits (MININTERVAL)
	maxIntMs        = float64(math.MaxInt32) / 1000
)

// getoptString is iputils' option string: every option its getopt knows,
// the ones followed by ':' taking an argument.
const getoptString = "h?" + "4bRT:" + "6F:N:" + "aABc:CdDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:"

// pingOpts is a parsed ping command line.
type pingOpts struct {
	count        int64      // -c: stop after this many replies; 0 for no limit
	interval     int        // -i, in milliseconds, truncated as iputils does
	linger       int        // -W, in milliseconds
	deadline     int64      // -w, in seconds; 0 for none
	quiet        bool       // -q
	device       string     // -I NAME
	source       netip.Addr // -I ADDRESS, IPv4; invalid when not given
	source6      netip.Addr // -I ADDRESS[%DEVICE], IPv6, without its zone
	strictSource bool       // -I gave an address (bind the socket to the source)
	family       byte       // 4 or 6 after -4 or -6, else 0
	version      bool       // -V

	prog     string       // the name ping was called by: "ping" or "ping6"
	hostname string       // the destination as written
	hops     []netip.Addr // the destinations; the last is the target, an IPv6 one with its zone as written
	warnings []string     // messages iputils prints to stderr while parsing
}

// target is the address echo requests go to.
func (o *pingOpts) target() netip.Addr { return o.hops[len(o.hops)-1] }

// versionText is what "ping -V" prints.
const versionText = "ping from iputils 20221126\n" +
	"libcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n"

// parser carries the state of one parse: the warnings printed so far come
// before the message of a later error, as they would on iputils' stderr.
type parser struct {
	o pingOpts
}

// fail returns an ExitError whose message holds the warnings so far and
// then the formatted error, after the program's name as error(3) prints it.
func (p *parser) fail(code int, format string, args ...any) error {
	msg := p.o.prog + ": " + fmt.Sprintf(format, args...)
	if len(p.o.warnings) > 0 {
		msg = strings.Join(p.o.warnings, "\n") + "\n" + msg
	}
	return script.Errorf(code, "%s", msg)
}

// usage returns the error of iputils' usage(): the help text on stderr and
// exit status 2, after msg when msg is not empty.
func (p *parser) usage(msg string) error {
	text := strings.TrimSuffix(usageText, "\n")
	if msg != "" {
		text = msg + "\n" + text
	}
	if len(p.o.warnings) > 0 {
		text = strings.Join(p.o.warnings, "\n") + "\n" + text
	}
	return script.Errorf(exitError, "%s", text)
}

// parsePing parses the arguments of "ping".
func parsePing(args []string) (*pingOpts, error) { return parsePingAs("ping", args) }

// parsePingAs parses ping's arguments as iputils' GNU getopt does: options
// may be clustered (-qc3) or follow the destination; "--" ends them. prog
// is the name ping is called by: as "ping6" (a name ending in 6) it
// resolves IPv6 destinations only, as if -6 were given, and its messages
// start with that name.
func parsePingAs(prog string, args []string) (*pingOpts, error) {
	p := &parser{o: pingOpts{interval: defaultInterval, linger: defaultLinger, prog: prog}}
	if strings.HasSuffix(prog, "6") {
		p.o.family = 6
	}
	spec := getopt.Spec{Prog: prog, Short: getoptString}
	opts, operands := spec.Parse(args)
	for _, o := range opts {
		if o.Err != "" { // getopt's '?' for a mistake; "-?" itself has none
			return nil, p.usage(o.Err)
		}
		if err := p.option(byte(o.C), o.Arg); err != nil {
			return nil, err
		}
		if p.o.version {
			return &p.o, nil // iputils prints its version and exits at once
		}
	}
	if len(operands) == 0 {
		return nil, p.fail(exitNoReply, "usage error: %s", script.Strerror(unix.EDESTADDRREQ))
	}
	if err := p.destinations(operands); err != nil {
		return nil, err
	}
	return &p.o, nil
}

// option applies one option letter and its argument.
func (p *parser) option(c byte, optarg string) error {
	o := &p.o
	switch c {
	case 'h', '?':
		return p.usage("")
	case 'V':
		o.version = true
	case '4', '6':
		fam := c - '0'
		if o.family != 0 && o.family != fam {
			return p.fail(exitError, "only one -4 or -6 option may be specified")
		}
		o.family = fam
	case 'c':
		n, err := p.strtolOrErr(optarg, 1, math.MaxInt64)
		if err != nil {
			return err
		}
		o.count = n
	case 'i':
		f, err := p.strtod(optarg, "bad timing interval")
		if err != nil {
			return err
		}
		if f > maxIntMs {
			return p.fail(exitError, "bad timing interval: %s", optarg)
		}
		o.interval = int(f * 1000)
	case 'W':
		f, err := p.strtod(optarg, "bad linger time")
		if err != nil {
			return err
		}
		if f < 0 || f > maxIntMs {
			return p.fail(exitError, "bad linger time: %s", optarg)
		}
		o.linger = int(f * 1000)
	case 'w':
		n, err := p.strtolOrErr(optarg, 0, math.MaxInt32)
		if err != nil {
			return err
		}
		o.deadline = n
	case 'I':
		return p.iface(optarg)
	case 'n':
		// Numeric output only: netscript never resolves names anyway.
	case 'q':
		o.quiet = true
	default:
		return p.fail(exitError, "option -%c is not implemented by netscript", c)
	}
	return nil
}

// iface applies -I: an IPv4 or IPv6 address to send from, or an interface
// name. An argument with a colon is an IPv6 address, perhaps with %DEVICE.
func (p *parser) iface(arg string) error {
	o := &p.o
	if strings.Contains(arg, ":") {
		addr, dev, hasDev := strings.Cut(arg, "%")
		if hasDev {
			o.device = dev
		}
		a, err := netip.ParseAddr(addr)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return p.fail(exitError, "invalid source address: %s", arg)
		}
		// An IPv6 source does not apply to IPv4, but still makes
		// iputils bind its socket to the source it picks.
		o.source6 = a
		o.strictSource = true
		return nil
	}
	if a, err := netip.ParseAddr(arg); err == nil && a.Is4() {
		o.source = a
		o.strictSource = true
		return nil
	}
	o.device = arg
	return nil
}

// strtolOrErr is iputils' strtol_or_err(optarg, "invalid argument", min,
// max): its errors exit with status 1.
func (p *parser) strtolOrErr(s string, min, max int64) (int64, error) {
	n, rest, errno := cnum.Strtol(s)
	if s == "" || errno != 0 || rest == s || rest != "" {
		if errno != 0 {
			return 0, p.fail(exitNoReply, "invalid argument: '%s': %s", s, script.Strerror(errno))
		}
		return 0, p.fail(exitNoReply, "invalid argument: '%s'", s)
	}
	if n < min || n > max {
		return 0, p.fail(exitNoReply, "invalid argument: '%s': out of range: %d <= value <= %d", s, min, max)
	}
	return n, nil
}

// strtod is iputils' ping_strtod: trailing garbage is only warned about
// (and the number read so far is used); infinities, NaNs and subnormal
// numbers are errors.
func (p *parser) strtod(s, what string) (float64, error) {
	if s == "" {
		// iputils reports whatever errno was left over; on this system
		// it is ENOENT from its locale set-up.
		return 0, p.fail(exitError, "%s: : %s", what, script.Strerror(unix.ENOENT))
	}
	f, rest, errno := cnum.Strtod(s)
	if errno != 0 || rest == s || rest != "" {
		p.o.warnings = append(p.o.warnings,
			p.o.prog+": option argument contains garbage: "+rest,
			p.o.prog+": this will become fatal error in the future")
	}
	if !cnum.NormalOrZero(f) {
		return 0, p.fail(exitError, "%s: %s: %s", what, s, script.Strerror(unix.ERANGE))
	}
	return f, nil
}

// destinations checks the operands as iputils resolves them: the last
// one first (getaddrinfo in main), then, for IPv4, each in order
// (ping4_run); ping6_run takes a single destination. Only numeric addresses
// are accepted: netscript does no name lookups, and a name fails as an
// unresolvable one does in a namespace with no DNS server.
func (p *parser) destinations(operands []string) error {
	last := operands[len(operands)-1]
	p.o.hostname = last
	addr, err := p.resolve(last, p.o.family)
	if err != nil {
		return err
	}
	if len(operands) == 1 {
		p.o.hops = []netip.Addr{addr}
		return nil
	}
	if len(operands) > 10 || addr.Is6() {
		return p.usage("")
	}
	for _, op := range operands {
		a, err := p.resolve(op, 4)
		if err != nil {
			return err
		}
		p.o.hops = append(p.o.hops, a)
	}
	return nil
}

// resolve turns one operand into an address the way getaddrinfo(3) would
// with the given family (0 for any), or returns iputils' error. An IPv6
// address keeps the zone written after '%': whether it names an interface
// is known only inside the namespace, when ping runs (scopeID).
func (p *parser) resolve(name string, family byte) (netip.Addr, error) {
	if b, ok := cnum.InetAton(name); ok {
		if family == 6 {
			return netip.Addr{}, p.fail(exitError, "%s: Address family for hostname not supported", name)
		}
		return netip.AddrFrom4(b), nil
	}
	addrPart, zone, hasZone := strings.Cut(name, "%")
	if a, err := netip.ParseAddr(addrPart); err == nil && a.Is6() && a.Zone() == "" {
		if family == 4 {
			return netip.Addr{}, p.fail(exitError, "%s: Address family for hostname not supported", name)
		}
		if hasZone {
			if zone == "" {
				return netip.Addr{}, p.fail(exitError, "%s: Name or service not known", name)
			}
			a = a.WithZone(zone)
		}
		return a, nil
	}
	if !resolvable(name) {
		// Not a host name the resolver would ask DNS about.
		return netip.Addr{}, p.fail(exitError, "%s: Name or service not known", name)
	}
	// One it would ask, and there is no DNS server in a scenario's world.
	return netip.Addr{}, p.fail(exitError, "%s: Temporary failure in name resolution", name)
}

// resolvable reports whether glibc's resolver would send name to DNS
// rather than refuse it at once (res_hnok): after ns_name_pton reads its
// escapes (\X, \DDD), no label is empty but a last one after a final
// dot, every byte is a letter, digit, '-' or '_', and the first is no '-'.
// Names with bytes of 0x80 and up go through IDNA in iputils' ping first;
// netscript lets them pass as the common ones do.
func resolvable(name string) bool {
	read, label := 0, 0 // bytes read after escapes: in all, in this label
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			if label == 0 {
				return false // empty label: ".a", "a..b", "."
			}
			label = 0
			continue
		case c == '\\' && i+3 < len(name) && isDigit(name[i+1]) && isDigit(name[i+2]) && isDigit(name[i+3]):
			v := int(name[i+1]-'0')*100 + int(name[i+2]-'0')*10 + int(name[i+3]-'0')
			if v > 255 {
				return false
			}
			c, i = byte(v), i+3
		case c == '\\' && i+1 < len(name):
			c, i = name[i+1], i+1
		case c == '\\':
			return false // a name may not end in a lone backslash
		}
		hostChar := isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c == '-' || c == '_' || c >= 0x80
		if !hostChar || (c == '-' && read == 0) {
			return false
		}
		read, label = read+1, label+1
	}
	return read > 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
