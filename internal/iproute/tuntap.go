package iproute

import (
	"fmt"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/script"
)

// tuntapRequest is one parsed "ip tuntap add|del".
type tuntapRequest struct {
	add  bool
	dev  string
	mode netlink.TuntapMode
}

func parseTuntap(g *globals, list []string, _ script.Parser) (script.Action, error) {
	if err := g.refuse("ip tuntap", optsChange); err != nil {
		return nil, err
	}
	r, err := parseTuntapRequest(list)
	if err != nil {
		return nil, err
	}
	return script.WithEffects(script.ActionFunc(func(s *script.State) error { return tuntap(s, r) }), r.effect()), nil
}

// effect is what the request does: add or delete the device; deleting one
// that is not there is no error.
func (r tuntapRequest) effect() script.Effect {
	if !r.add {
		return script.Effect{Op: script.OpLinkDel, Dev: r.dev, Optional: true}
	}
	kind := "tap"
	if r.mode == netlink.TUNTAP_MODE_TUN {
		kind = "tun"
	}
	return script.Effect{Op: script.OpLinkAdd, Dev: r.dev, Kind: kind}
}

// tuntap does what iproute2's tap_add_ioctl and tap_del_ioctl do: on a
// fresh /dev/net/tun, TUNSETIFF with the name and mode (and, to add,
// IFF_TUN_EXCL, so an existing device is an error, not reused), then
// TUNSETPERSIST 1 to keep the device, or 0 to let it go when the file is
// closed. So deleting a device that was not there makes it and drops it
// at once: no error, and an ifindex used up, as with ip; one of another
// kind or mode is the kernel's EINVAL.
func tuntap(s *script.State, r tuntapRequest) error {
	ifr, err := unix.NewIfreq(r.dev) // parseTuntapRequest checked the name
	if err != nil {
		return fmt.Errorf("ip tuntap: %w", err)
	}
	flags, persist := uint16(r.mode)|unix.IFF_NO_PI, 0
	if r.add {
		flags, persist = flags|unix.IFF_TUN_EXCL, 1
	}
	ifr.SetUint16(flags)
	return s.NS.Do(func() error { // the device belongs to the namespace the file is opened in
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return s.Fail(exitErr, "open: %s", script.ErrorText(err))
		}
		defer unix.Close(fd)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			return s.Fail(exitErr, "ioctl(TUNSETIFF): %s", script.ErrorText(err))
		}
		if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, persist); err != nil {
			return s.Fail(exitErr, "ioctl(TUNSETPERSIST): %s", script.ErrorText(err))
		}
		return nil
	})
}

// parseTuntapRequest parses "ip tuntap add|del [dev] NAME mode tun|tap".
func parseTuntapRequest(list []string) (tuntapRequest, error) {
	a := &args{list: list}
	if !a.more() {
		return tuntapRequest{}, script.Unimplemented(exitUsage, "ip tuntap show: not implemented by netscript")
	}
	cmd := a.next()
	add := matches(cmd, "add")
	if !add && !matches(cmd, "delete") {
		return tuntapRequest{}, script.Errorf(exitUsage, "Command %q is unknown, try \"ip tuntap help\".", cmd)
	}
	var dev string
	var mode netlink.TuntapMode
	for a.more() {
		word := a.next()
		switch word {
		case "mode":
			v, err := a.value(word)
			if err != nil {
				return tuntapRequest{}, err
			}
			switch v {
			case "tun":
				mode = netlink.TUNTAP_MODE_TUN
			case "tap":
				mode = netlink.TUNTAP_MODE_TAP
			default:
				return tuntapRequest{}, script.Errorf(exitUsage, "Unknown tunnel mode %q", v)
			}
		case "dev", "name":
			v, err := a.value(word)
			if err != nil {
				return tuntapRequest{}, err
			}
			if !ipshow.CheckIfname(v) {
				return tuntapRequest{}, invalidName(`"dev" not a valid ifname`, v)
			}
			dev = v
		default:
			if dev != "" {
				return tuntapRequest{}, duplicateArg("dev", word)
			}
			if !ipshow.CheckIfname(word) {
				return tuntapRequest{}, invalidName(`"dev" not a valid ifname`, word)
			}
			dev = word
		}
	}
	if mode == 0 {
		return tuntapRequest{}, script.Errorf(exitErr, "You failed to specify a tunnel mode")
	}
	return tuntapRequest{add, dev, mode}, nil
}
