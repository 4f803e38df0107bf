package iproute

import (
	"fmt"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// neighRequest is one parsed "ip neigh add|change|replace|del".
type neighRequest struct {
	msg      netlink.Ndmsg
	dst      inetPrefix
	dev      string
	lladdr   []byte
	protocol *uint8
	extFlags uint32
}

// neighAddr is iproute2's get_addr for a neighbour: an address, IPv4 in
// its loose form, of family (0: either).
func neighAddr(v string, family int) (inetPrefix, error) {
	p, ok := getPrefix1(v, family)
	if !ok || strings.Contains(v, "/") {
		return p, script.Errorf(exitErr, "Error: %s address is expected rather than %q.", familyName(family), v)
	}
	return p, nil
}

// parseNeighModify parses the arguments of ip neigh add, change, replace
// and del as ipneigh_modify does.
func parseNeighModify(g *globals, a *args, cmd string, msgType, nlFlags int) (script.Action, error) {
	if err := g.refuse("ip neigh "+cmd, optsChange); err != nil {
		return nil, err
	}
	r := neighRequest{msg: netlink.Ndmsg{Family: uint8(g.family), State: unix.NUD_PERMANENT}}
	var dstOK, devOK, llOK bool
	for a.more() {
		word := a.next()
		switch {
		case matches(word, "lladdr"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if llOK {
				return nil, duplicateValue("lladdr", v)
			}
			llOK = true
			if v != "null" {
				mac, err := parseMAC(v)
				if err != nil {
					return nil, err
				}
				r.lladdr = mac
			}
		case word == "nud":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			st, ok := nudByName(v)
			if !ok {
				return nil, invalidName("nud state is bad", v)
			}
			r.msg.State = uint16(st)
		case matches(word, "proxy"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if matches(v, "help") {
				return nil, script.Errorf(exitUsage, "%s", neighUsageText)
			}
			if dstOK {
				return nil, duplicateValue("address", v)
			}
			if r.dst, err = neighAddr(v, g.family); err != nil {
				return nil, err
			}
			dstOK, devOK = true, true
			r.msg.Flags |= unix.NTF_PROXY
		case word == "router":
			r.msg.Flags |= unix.NTF_ROUTER
		case word == "use":
			r.msg.Flags |= unix.NTF_USE
		case word == "managed":
			r.extFlags |= ntfExtManaged
			r.msg.State = unix.NUD_NONE
		case matches(word, "extern_learn"):
			r.msg.Flags |= unix.NTF_EXT_LEARNED
		case word == "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.dev, devOK = v, true
		case matches(word, "protocol"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			p, ok := byName(protoNames, v, 255)
			if !ok {
				return nil, invalidArg(`"protocol" value is invalid`, v)
			}
			p8 := uint8(p)
			r.protocol = &p8
		default:
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if matches(word, "help") {
				// ipneigh_modify steps over "help" (NEXT_ARG) and reads
				// the word after it as the address.
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if dstOK {
				return nil, duplicateArg("to", word)
			}
			var err error
			if r.dst, err = neighAddr(word, g.family); err != nil {
				return nil, err
			}
			dstOK = true
		}
	}
	if !devOK || !dstOK || r.dst.family == 0 {
		return nil, script.Errorf(exitUsage, "Device and destination are required arguments.")
	}
	r.msg.Family = uint8(r.dst.family)
	return script.ActionFunc(func(s *script.State) error { return neighModify(s, r, msgType, nlFlags) }), nil
}

// neighModify sends the request on the command namespace's own socket.
func neighModify(s *script.State, r neighRequest, msgType, nlFlags int) error {
	if r.dev != "" {
		index, err := linkIndex(s, r.dev)
		if err != nil {
			return err
		}
		r.msg.Index = uint32(index)
	}
	req, err := s.NS.Request(msgType, nlFlags|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(&r.msg)
	req.AddData(nl.NewRtAttr(unix.NDA_DST, r.dst.bytes()))
	if r.extFlags != 0 {
		req.AddData(nl.NewRtAttr(ndaFlagsExt, nl.Uint32Attr(r.extFlags)))
	}
	if r.lladdr != nil {
		req.AddData(nl.NewRtAttr(unix.NDA_LLADDR, r.lladdr))
	}
	if r.protocol != nil {
		req.AddData(nl.NewRtAttr(ndaProtocol, []byte{*r.protocol}))
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	return nil
}

// parseNeighGet parses "ip neigh get { ADDR | proxy ADDR } dev DEV" as
// ipneigh_get does.
func parseNeighGet(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip neigh get", 0); err != nil {
		return nil, err
	}
	msg := netlink.Ndmsg{Family: uint8(g.family)}
	var dst inetPrefix
	var dev string
	var dstOK, devOK bool
	for a.more() {
		word := a.next()
		switch {
		case word == "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			dev, devOK = v, true
		case matches(word, "proxy"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if matches(v, "help") {
				return nil, script.Errorf(exitUsage, "%s", neighUsageText)
			}
			if dstOK {
				return nil, duplicateValue("address", v)
			}
			if dst, err = neighAddr(v, g.family); err != nil {
				return nil, err
			}
			dstOK, devOK = true, true
			msg.Flags |= unix.NTF_PROXY
		default:
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if matches(word, "help") {
				return nil, script.Errorf(exitUsage, "%s", neighUsageText)
			}
			if dstOK {
				return nil, duplicateArg("to", word)
			}
			var err error
			if dst, err = neighAddr(word, g.family); err != nil {
				return nil, err
			}
			dstOK = true
		}
	}
	if !devOK || !dstOK || dst.family == 0 {
		return nil, script.Errorf(exitErr, "Device and address are required arguments.")
	}
	msg.Family = uint8(dst.family)
	return script.ActionFunc(func(s *script.State) error {
		h, err := s.NS.Netlink()
		if err != nil {
			return err
		}
		links, err := h.LinkList()
		if err != nil {
			return fmt.Errorf("ip neigh get: list links in %s: %w", nsName(s.NS), err)
		}
		byIndex := make(map[int]netlink.Link, len(links))
		for _, l := range links {
			byIndex[l.Attrs().Index] = l
			if dev != "" && l.Attrs().Name == dev {
				msg.Index = uint32(l.Attrs().Index)
			}
		}
		if dev != "" && msg.Index == 0 {
			return s.Fail(exitErr, "Cannot find device %q", dev)
		}
		req, err := s.NS.Request(unix.RTM_GETNEIGH, 0)
		if err != nil {
			return err
		}
		req.AddData(&msg)
		req.AddData(nl.NewRtAttr(unix.NDA_DST, dst.bytes()))
		msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWNEIGH)
		if err != nil {
			return kernelError(s, err)
		}
		var out strings.Builder
		for _, m := range msgs {
			e, err := parseNeighMsg(m)
			if err != nil {
				return fmt.Errorf("ip neigh get: %w", err)
			}
			if e != nil {
				printNeigh(&out, nil, false, e, 0, byIndex)
			}
		}
		_, err = fmt.Fprint(s.Stdout, out.String())
		return err
	}), nil
}

// neighFlushRounds is ipneigh.c's MAX_ROUNDS.
const neighFlushRounds = 10

// flushNeigh is do_show_or_flush's flush: rounds of dumping the table and
// deleting the entries that pass the filter, until a round finds none.
// With -s it reports each round.
func flushNeigh(s *script.State, g *globals, f *neighFilter) error {
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("ip neigh flush: list links in %s: %w", nsName(s.NS), err)
	}
	byIndex := make(map[int]netlink.Link, len(links))
	index := func(name string) int {
		for _, l := range links {
			if l.Attrs().Name == name {
				return l.Attrs().Index
			}
		}
		return 0
	}
	for _, l := range links {
		byIndex[l.Attrs().Index] = l
	}
	filterIndex, masterIndex := 0, 0
	switch f.master {
	case "":
	case masterNone:
		masterIndex = -1
	default:
		if masterIndex = index(f.master); masterIndex == 0 {
			return s.Fail(exitUsage, "Error: argument %q is wrong: Device does not exist\n", f.master)
		}
	}
	if f.dev != "" {
		if filterIndex = index(f.dev); filterIndex == 0 {
			return s.Fail(exitErr, "Cannot find device %q", f.dev)
		}
	}
	var out strings.Builder
	defer func() { fmt.Fprint(s.Stdout, out.String()) }()
	for round := 0; round < neighFlushRounds; round++ {
		entries, err := dumpNeigh(s.NS, f.family, f.proxy)
		if err != nil {
			return kernelError(s, err)
		}
		flushed := 0
		for _, e := range entries {
			if !f.pass(e, filterIndex, masterIndex, byIndex) {
				continue
			}
			req, err := s.NS.Request(unix.RTM_DELNEIGH, unix.NLM_F_ACK)
			if err != nil {
				return err
			}
			req.AddData(&netlink.Ndmsg{Family: uint8(e.family), Index: uint32(e.ifindex), State: uint16(e.state), Flags: uint8(e.flags)})
			req.AddData(nl.NewRtAttr(unix.NDA_DST, e.dst))
			if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
				return s.Fail(exitErr, "Failed to send flush request: %s", errnoText(err))
			}
			flushed++
		}
		if flushed == 0 {
			if g.stats > 0 {
				if round == 0 {
					out.WriteString("Nothing to flush.\n")
				} else {
					fmt.Fprintf(&out, "*** Flush is complete after %d round%s ***\n", round, map[bool]string{true: "s"}[round > 1])
				}
			}
			return nil
		}
		if g.stats > 0 {
			fmt.Fprintf(&out, "\n*** Round %d, deleting %d entries ***\n", round+1, flushed)
		}
		f.state &^= unix.NUD_FAILED
	}
	fmt.Fprintf(&out, "*** Flush not complete bailing out after %d rounds\n", neighFlushRounds)
	return s.Fail(exitErr, "")
}
