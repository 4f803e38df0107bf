package nettools

import "strings"

// Address families as net-tools 2.10 knows them (lib/af.c), as Debian
// builds it: every family but bluetooth compiled in.

// aftrans maps the names accepted by -A, -4, -6 and --<af> to family names
// (af.c aftrans[]), in net-tools' order.
var aftrans = []struct{ alias, name string }{
	{"ax25", "ax25"}, {"ip", "inet"}, {"ip6", "inet6"}, {"ipx", "ipx"},
	{"rose", "rose"}, {"appletalk", "ddp"}, {"netrom", "netrom"},
	{"inet", "inet"}, {"inet6", "inet6"}, {"ddp", "ddp"}, {"unix", "unix"},
	{"tcpip", "inet"}, {"econet", "ec"}, {"x25", "x25"}, {"ash", "ash"},
	{"bluetooth", "bluetooth"},
}

// familyInfo says what net-tools can do with a compiled-in family: show its
// routing table (rprint, lib/getroute.c) and change it (rinput,
// lib/setroute.c).
type familyInfo struct{ rprint, rinput bool }

// families are the compiled-in families (af.c aftypes[]); bluetooth is not.
var families = map[string]familyInfo{
	"unix": {}, "inet": {true, true}, "inet6": {true, true},
	"ax25": {rprint: true}, "netrom": {true, true}, "rose": {rprint: true},
	"ipx": {true, true}, "ddp": {rprint: true}, "ec": {}, "ash": {},
	"x25": {true, true},
}

// addFamilies is af.c's aftrans_opt: it appends to p.afname the families of
// a comma-separated list of aliases. An unknown alias is fatal to route
// (exit status 1): its message is returned.
func (p *routeParser) addFamilies(arg string) (fatal string) {
	for _, alias := range strings.Split(arg, ",") {
		name := ""
		for _, t := range aftrans {
			if t.alias == alias {
				name = t.name
				break
			}
		}
		if name == "" {
			return "Unknown address family `" + alias + "'."
		}
		if len(name)+len(p.afname)+1 >= 256 {
			p.warnings = append(p.warnings, "Too much address family arguments.")
			return ""
		}
		if p.afname != "" {
			p.afname += ","
		}
		p.afname += name
	}
	return ""
}
