package nettools

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/netscript/netscript/script"
)

// showOpts are the display options of INET_rprint.
type showOpts struct {
	extend     int  // (number of -e + 1) & FLAG_EXT: 0 prints no columns
	numeric    bool // -n or -N
	fib, cache bool
}

// showInet is INET_rprint (lib/inet_gr.c): the FIB, then the cache.
func showInet(s *script.State, o showOpts) error {
	if o.fib {
		routes, err := mainRoutes(s.NS)
		if errors.Is(err, errNoMainTable) {
			// /proc/net/route is empty: rprint_fib prints its headers,
			// finds no header line to parse and returns 1.
			io.WriteString(s.Stdout, fibTitle+fibHeader[o.extend])
			return &script.ExitError{Code: 1}
		}
		if err != nil {
			return s.Fail(exitNoSupp, "route: %v", err)
		}
		var names *resolver
		if !o.numeric {
			names = &resolver{}
		}
		table, err := formatFIB(routes, o.extend, names)
		if err != nil {
			return s.Fail(exitOptErr, "route: %v", err)
		}
		io.WriteString(s.Stdout, table)
	}
	if o.cache {
		// /proc/net/rt_cache holds only its header since Linux 3.6.
		io.WriteString(s.Stdout, cacheTitle+cacheHeader[o.extend])
	}
	return nil
}

// formatFIB is rprint_fib's loop over /proc/net/route. names is nil for
// numeric output.
func formatFIB(routes []procRoute, extend int, names *resolver) (string, error) {
	var b strings.Builder
	b.WriteString(fibTitle + fibHeader[extend])
	for _, r := range routes {
		dst, gw := dotted(r.dst), dotted(r.gw)
		if names != nil && extend != 0 { // -eee prints no rows
			var err error
			if dst, err = names.destination(r); err != nil {
				return "", err
			}
			if gw, err = names.gateway(r); err != nil {
				return "", err
			}
		}
		dst, gw, mask := trunc15(dst), trunc15(gw), dotted(r.mask)
		flags := routeFlags(r.flags)
		metric := int32(r.metric) // scanned with %u, printed with %d
		switch {
		case extend == 1 && r.reject:
			fmt.Fprintf(&b, "%-15s -               %-15s %-5s %-6d -  %7d -\n", dst, mask, flags, metric, 0)
		case extend == 1:
			fmt.Fprintf(&b, "%-15s %-15s %-15s %-5s %-6d %-2d %7d %s\n", dst, gw, mask, flags, metric, 0, 0, r.iface)
		case extend == 2 && r.reject:
			fmt.Fprintf(&b, "%-15s -               %-15s %-5s     - -          - -\n", dst, mask, flags)
		case extend == 2:
			fmt.Fprintf(&b, "%-15s %-15s %-15s %-5s %5d %-5d %6d %s\n", dst, gw, mask, flags, r.mss, r.window, r.irtt, r.iface)
		case extend == 3 && r.reject:
			fmt.Fprintf(&b, "%-15s -               %-15s %-5s %-6d -  %7d -        -     -      -\n", dst, mask, flags, metric, 0)
		case extend == 3:
			fmt.Fprintf(&b, "%-15s %-15s %-15s %-5s %-6d %-3d %6d %-6.6s   %-5d %-6d %d\n",
				dst, gw, mask, flags, metric, 0, 0, r.iface, r.mss, r.window, r.irtt)
		}
	}
	return b.String(), nil
}

// routeFlags decodes the flags as rprint_fib: a reject route's "!"
// replaces what came before it.
func routeFlags(f uint32) string {
	var s string
	if f&rtfUp != 0 {
		s += "U"
	}
	if f&rtfGateway != 0 {
		s += "G"
	}
	if f&rtfReject != 0 {
		s = "!"
	}
	if f&rtfHost != 0 {
		s += "H"
	}
	return s
}

// dotted is inet_ntoa of a host-order address.
func dotted(a uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", a>>24, a>>16&0xff, a>>8&0xff, a&0xff)
}

// trunc15 cuts a name to the 15 bytes rprint_fib keeps.
func trunc15(s string) string {
	if len(s) > 15 {
		return s[:15]
	}
	return s
}
