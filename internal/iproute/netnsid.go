package iproute

import (
	"errors"
	"fmt"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// The NETNSA_* attributes of RTM_NEWNSID.
const (
	netnsaNSID        = 1
	netnsaCurrentNSID = 5
)

// parseNetnsListID parses "ip netns list-id [nsid N]" as netns_list_id
// does. ("target-nsid", which asks for the ids another namespace gave, is
// refused.)
func parseNetnsListID(g *globals, a *args) (script.Action, error) {
	nsid := -1
	for a.more() {
		switch w := a.next(); w {
		case "target-nsid":
			return nil, script.Unimplemented(exitUsage, "ip netns list-id target-nsid: not implemented by netscript")
		case "nsid":
			if nsid >= 0 {
				return nil, duplicateValue("nsid", w)
			}
			v, err := a.value(w)
			if err != nil {
				return nil, err
			}
			n, ok := cnum.GetInteger(v)
			if !ok {
				return nil, invalidName(`"nsid" value is invalid`, v)
			}
			if n < 0 {
				next := "(null)" // glibc's printf of the missing argv[1]
				if a.more() {
					next = a.list[0]
				}
				return nil, invalidName(`"nsid" value should be >= 0`, next)
			}
			nsid = int(n)
		default:
			return nil, script.Errorf(exitUsage, "%s", netnsUsage)
		}
	}
	return script.ActionFunc(func(s *script.State) error { return netnsListID(s, g, nsid) }), nil
}

// netnsListID dumps the ids the command's namespace has given to other
// namespaces (RTM_GETNSID), each with the scenario name of its namespace,
// as print_nsid prints them. The names are found with RTM_GETNSID of
// each namespace's fd, which reads ids and never allocates one.
// With nsid >= 0 it asks for that one id (get_netnsid_from_netnsid).
func netnsListID(s *script.State, g *globals, nsid int) error {
	var msgs [][]byte
	if nsid >= 0 {
		req, err := s.NS.Request(unix.RTM_GETNSID, 0)
		if err != nil {
			return err
		}
		req.AddData(nl.NewRtGenMsg())
		req.AddData(nl.NewRtAttr(netnsaNSID, nl.Uint32Attr(uint32(nsid))))
		if msgs, err = req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWNSID); err != nil {
			return kernelError(s, err)
		}
	} else {
		req, err := s.NS.Request(unix.RTM_GETNSID, unix.NLM_F_DUMP)
		if err != nil {
			return err
		}
		req.AddData(nl.NewRtGenMsg()) // rtgenmsg, AF_UNSPEC
		if msgs, err = dump(s.NS, req, unix.RTM_NEWNSID); err != nil {
			return kernelError(s, err)
		}
	}
	names := map[int]string{}
	for id, ns := range nsByID(s.NS, s.World) {
		if ns.Name != "" { // the scenario's root namespace has no name under /run/netns
			names[id] = ns.Name
		}
	}
	p := jsonw.NewPrinter(g.json, g.pretty)
	p.Begin()
	for _, m := range msgs {
		if len(m) < 4 {
			continue
		}
		tb := rtattr.ParseMasked(m[4:], 0)
		nsid, current, hasCurrent := -1, -1, false
		if v, ok := tb.Uint32(netnsaNSID); ok {
			nsid = int(int32(v))
		}
		if v, ok := tb.Uint32(netnsaCurrentNSID); ok {
			current, hasCurrent = int(int32(v)), true
		}
		p.OpenObject("")
		if nsid < 0 {
			p.Text("nsid unassigned ")
		} else {
			p.Uint(jsonw.Any, "nsid", "nsid %d ", int64(nsid))
		}
		key := nsid
		if hasCurrent {
			key = current
		}
		if name, ok := names[key]; ok {
			p.Str(jsonw.Any, "name", "(iproute2 netns name: %s)", name)
		}
		p.Text("\n")
		p.CloseObject()
	}
	p.End()
	_, err := s.Stdout.Write(p.Buf.Bytes())
	return err
}

// parseNetnsIdentify parses "ip netns identify [PID]". Without a PID it
// names the namespace the command runs in; a PID names the namespace of
// that process (a program the scenario started), as netns_identify_pid
// compares /proc/PID/ns/net with the scenario's namespaces.
func parseNetnsIdentify(a *args) (script.Action, error) {
	pid := "self"
	switch len(a.list) {
	case 0:
	case 1:
		pid = a.list[0]
		for _, c := range pid {
			if c < '0' || c > '9' {
				return nil, script.Errorf(exitErr, "Specified string '%s' is not a pid", pid)
			}
		}
	default:
		return nil, script.Errorf(exitErr, "extra arguments specified")
	}
	return script.ActionFunc(func(s *script.State) error {
		var want unix.Stat_t
		if pid == "self" {
			if err := unix.Fstat(s.NS.Fd(), &want); err != nil {
				return fmt.Errorf("ip netns identify: %w", err)
			}
		} else if err := unix.Stat("/proc/"+pid+"/ns/net", &want); err != nil {
			return s.Fail(exitErr, "Cannot open network namespace: %s", errnoText(err))
		}
		name := ""
		for _, ns := range s.World.Namespaces() {
			var st unix.Stat_t
			if unix.Fstat(ns.Fd(), &st) == nil && st.Dev == want.Dev && st.Ino == want.Ino {
				name = ns.Name
			}
		}
		_, err := fmt.Fprintf(s.Stdout, "%s\n", name)
		return err
	}), nil
}

// errnoText is strerror of a system call's error.
func errnoText(err error) string {
	var e unix.Errno
	if errors.As(err, &e) {
		s := e.Error()
		return string(s[0]-'a'+'A') + s[1:]
	}
	return err.Error()
}

// netnsUsage is the usage ip netns prints for a word it does not know.
const netnsUsage = "Usage:\tip netns list\n" +
	"\tip netns add NAME\n" +
	"\tip netns attach NAME PID\n" +
	"\tip netns set NAME NETNSID\n" +
	"\tip [-all] netns delete [NAME]\n" +
	"\tip netns identify [PID]\n" +
	"\tip netns pids NAME\n" +
	"\tip [-all] netns exec [NAME] cmd ...\n" +
	"\tip netns monitor\n" +
	"\tip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]\n" +
	"NETNSID := auto | POSITIVE-INT"
