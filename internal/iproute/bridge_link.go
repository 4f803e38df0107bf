package iproute

import (
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/script"
)

// "bridge link set": bridge/link.c's brlink_modify.

// IFLA_AF_SPEC attributes and flags of AF_BRIDGE (linux/if_bridge.h) that
// golang.org/x/sys does not name.
const (
	iflaBridgeFlags   = 0 // IFLA_BRIDGE_FLAGS
	bridgeFlagsMaster = 1 // BRIDGE_FLAGS_MASTER
	bridgeFlagsSelf   = 2 // BRIDGE_FLAGS_SELF
	bridgeModeVEB     = 0 // BRIDGE_MODE_VEB
	bridgeModeVEPA    = 1 // BRIDGE_MODE_VEPA
)

// brlinkOnOffs are brlink_modify's on/off options, in the order it puts
// their attributes in the request; the first eleven come before the cost.
var brlinkOnOffs = []struct {
	key  string
	attr uint16
}{
	{"guard", unix.IFLA_BRPORT_GUARD},
	{"hairpin", unix.IFLA_BRPORT_MODE},
	{"fastleave", unix.IFLA_BRPORT_FAST_LEAVE},
	{"root_block", unix.IFLA_BRPORT_PROTECT},
	{"flood", unix.IFLA_BRPORT_UNICAST_FLOOD},
	{"mcast_router", unix.IFLA_BRPORT_MULTICAST_ROUTER}, // a number, not on/off
	{"mcast_flood", unix.IFLA_BRPORT_MCAST_FLOOD},
	{"bcast_flood", unix.IFLA_BRPORT_BCAST_FLOOD},
	{"mcast_to_unicast", unix.IFLA_BRPORT_MCAST_TO_UCAST},
	{"learning", unix.IFLA_BRPORT_LEARNING},
	{"learning_sync", unix.IFLA_BRPORT_LEARNING_SYNC},
	{"neigh_suppress", unix.IFLA_BRPORT_NEIGH_SUPPRESS},
	{"vlan_tunnel", unix.IFLA_BRPORT_VLAN_TUNNEL},
	{"isolated", unix.IFLA_BRPORT_ISOLATED},
	{"locked", unix.IFLA_BRPORT_LOCKED},
}

// brlinkFirstGroup is how many of brlinkOnOffs brlink_modify adds before
// the cost, priority and state.
const brlinkFirstGroup = 11

// brlinkSet is one parsed "bridge link set".
type brlinkSet struct {
	dev string
	// values holds each option of brlinkOnOffs that was given (-1: not).
	values   map[string]int8
	cost     uint32
	priority int16 // -1: not given
	state    int8  // -1: not given
	mode     int16 // -1: not given
	flags    uint16
	// backup is the backup_port device, resolved when the command runs;
	// noBackup asks for nobackup_port (index 0).
	backup              string
	hasBackup, noBackup bool
	// err is a mistake found after a backup_port, which brlink_modify
	// reports only once it has looked that device up.
	err *script.ExitError
}

// parseBrlinkSet parses "bridge link set ..." as brlink_modify does.
func parseBrlinkSet(list []string) (script.Action, error) {
	r := &brlinkSet{values: map[string]int8{}, priority: -1, state: -1, mode: -1}
	if err := r.parse(list); err != nil {
		if !r.hasBackup {
			return nil, err
		}
		e, ok := err.(*script.ExitError)
		if !ok {
			return nil, err
		}
		r.err = e
	}
	return script.ActionFunc(r.run), nil
}

func (r *brlinkSet) parse(list []string) error {
	a := &args{list: list}
	for a.more() {
		word := a.next()
		onOff := func() error {
			v, err := a.value(word)
			if err != nil {
				return err
			}
			on, err := brOnOff(word, v)
			if err != nil {
				return err
			}
			r.values[word] = on
			return nil
		}
		switch word {
		case "dev":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			r.dev = v
		case "guard", "hairpin", "fastleave", "root_block", "learning", "learning_sync", "flood",
			"mcast_flood", "bcast_flood", "mcast_to_unicast", "neigh_suppress", "vlan_tunnel",
			"isolated", "locked":
			if err := onOff(); err != nil {
				return err
			}
		case "mcast_router":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			r.values[word] = int8(atoi(v))
		case "cost":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			r.cost = uint32(atoi(v))
		case "priority":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			r.priority = int16(atoi(v))
		case "state":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			n, rest, _ := cnum.Strtol(v)
			if v != "" && rest == "" {
				r.state = int8(n)
				break
			}
			st := -1
			for i, name := range stpStates {
				if name == v {
					st = i
				}
			}
			if st < 0 {
				return script.Errorf(exitUsage, "Error: invalid STP port state")
			}
			r.state = int8(st)
		case "hwmode":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			r.flags = bridgeFlagsSelf
			switch v {
			case "vepa":
				r.mode = bridgeModeVEPA
			case "veb":
				r.mode = bridgeModeVEB
			default:
				return script.Errorf(exitUsage, "Mode argument must be \"vepa\" or \"veb\".")
			}
		case "self":
			r.flags |= bridgeFlagsSelf
		case "master":
			r.flags |= bridgeFlagsMaster
		case "backup_port":
			v, err := a.value(word)
			if err != nil {
				return err
			}
			r.backup, r.hasBackup, r.noBackup = v, true, false
		case "nobackup_port":
			r.noBackup = true
		default:
			return script.Errorf(exitUsage, "%s", brlinkUsageText)
		}
	}
	if r.dev == "" {
		return script.Errorf(exitUsage, "Device is a required argument.")
	}
	return nil
}

// brOnOff is parse_on_off: any abbreviation of "off" or "on" ("o" is
// off). brlink_modify returns its -EINVAL, and bridge exits 234.
func brOnOff(key, v string) (int8, error) {
	switch {
	case matches(v, "off"):
		return 0, nil
	case matches(v, "on"):
		return 1, nil
	}
	return 0, script.Errorf(256-int(unix.EINVAL),
		"Error: argument of \"%s\" must be one of \"off\", \"on\", not \"%s\"", key, v)
}

// run sends the RTM_SETLINK brlink_modify builds.
func (r *brlinkSet) run(s *script.State) error {
	backupIndex := -1
	if r.hasBackup {
		l, err := findLink(s, r.backup, exitUsage, "Error: device %s does not exist")
		if err != nil {
			return err
		}
		backupIndex = l.Attrs().Index
	}
	if r.noBackup {
		backupIndex = 0
	}
	if r.err != nil {
		return s.Fail(r.err.Code, "%s", r.err.Msg)
	}
	l, err := findLink(s, r.dev, exitUsage, "Cannot find bridge device %q")
	if err != nil {
		return err
	}
	req, err := s.NS.Request(unix.RTM_SETLINK, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	msg := nl.NewIfInfomsg(unix.AF_BRIDGE)
	msg.Index = int32(l.Attrs().Index)
	req.AddData(msg)

	prot := nl.NewRtAttr(unix.IFLA_PROTINFO|unix.NLA_F_NESTED, nil)
	u8 := func(attr uint16, v int8) { prot.AddRtAttr(int(attr), []byte{byte(v)}) }
	for _, o := range brlinkOnOffs[:brlinkFirstGroup] {
		if v, ok := r.values[o.key]; ok && v >= 0 {
			u8(o.attr, v)
		}
	}
	if r.cost > 0 {
		prot.AddRtAttr(unix.IFLA_BRPORT_COST, nl.Uint32Attr(r.cost))
	}
	if r.priority >= 0 {
		prot.AddRtAttr(unix.IFLA_BRPORT_PRIORITY, nl.Uint16Attr(uint16(r.priority)))
	}
	if r.state >= 0 {
		u8(unix.IFLA_BRPORT_STATE, r.state)
	}
	for _, o := range brlinkOnOffs[brlinkFirstGroup:] {
		// neigh_suppress, vlan_tunnel and isolated are sent when not -1,
		// locked when not negative: all are 0 or 1 here.
		if v, ok := r.values[o.key]; ok {
			u8(o.attr, v)
		}
	}
	if backupIndex != -1 {
		prot.AddRtAttr(unix.IFLA_BRPORT_BACKUP_PORT, nl.Uint32Attr(uint32(backupIndex)))
	}
	req.AddData(prot)
	if r.mode >= 0 || r.flags > 0 {
		af := nl.NewRtAttr(unix.IFLA_AF_SPEC, nil)
		if r.flags > 0 {
			af.AddRtAttr(iflaBridgeFlags, nl.Uint16Attr(r.flags))
		}
		if r.mode >= 0 {
			af.AddRtAttr(iflaBridgeMode, nl.Uint16Attr(uint16(r.mode)))
		}
		req.AddData(af)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return bridgeKernelError(s, err)
	}
	return nil
}
