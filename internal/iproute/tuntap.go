package iproute

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/script"
)

// tuntapRequest is one parsed "ip tuntap add|del".
type tuntapRequest struct {
	add  bool
	dev  string
	mode netlink.TuntapMode
}

func parseTuntap(_ *globals, list []string, _ script.Table) (script.Action, error) {
	r, err := parseTuntapRequest(list)
	if err != nil {
		return nil, err
	}
	dev, mode := r.dev, r.mode
	if r.add {
		return func(s *script.State) error {
			// iproute2 asks for IFF_NO_PI and IFF_TUN_EXCL (so an existing
			// device is an error, not reused) and makes the device persistent;
			// netlink does the TUNSETIFF on /dev/net/tun opened on this
			// thread, so the device is born in the command's namespace.
			tap := &netlink.Tuntap{LinkAttrs: netlink.NewLinkAttrs(), Mode: mode, Flags: netlink.TUNTAP_NO_PI | netlink.TUNTAP_TUN_EXCL}
			tap.Name = dev
			return s.NS.Do(func() error {
				if err := netlink.LinkAdd(tap); err != nil {
					return tuntapError(s, err)
				}
				return nil
			})
		}, nil
	}
	return func(s *script.State) error { return tuntapDelete(s, dev, mode) }, nil
}

// tuntapDelete does what iproute2's tap_del_ioctl does: TUNSETIFF on a
// fresh /dev/net/tun with the name and mode, then TUNSETPERSIST 0, so the
// device goes when the file is closed. A device that was not there is
// thereby made and gone at once: no error, and an ifindex used up, as
// with ip. A device of another kind or mode is the kernel's EINVAL.
func tuntapDelete(s *script.State, dev string, mode netlink.TuntapMode) error {
	ifr, err := unix.NewIfreq(dev) // parseTuntapRequest checked the name
	if err != nil {
		return fmt.Errorf("ip tuntap del: %w", err)
	}
	ifr.SetUint16(uint16(mode) | unix.IFF_NO_PI)
	return s.NS.Do(func() error { // the device belongs to the namespace the file is opened in
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return s.Fail(exitErr, "open: %s", script.ErrorText(err))
		}
		defer unix.Close(fd)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			return s.Fail(exitErr, "ioctl(TUNSETIFF): %s", script.ErrorText(err))
		}
		if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, 0); err != nil {
			return s.Fail(exitErr, "ioctl(TUNSETPERSIST): %s", script.ErrorText(err))
		}
		return nil
	})
}

// parseTuntapRequest parses "ip tuntap add|del [dev] NAME mode tun|tap".
func parseTuntapRequest(list []string) (tuntapRequest, error) {
	a := &args{list: list}
	if !a.more() {
		return tuntapRequest{}, script.Errorf(exitUsage, "ip tuntap show: not implemented by netscript")
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
			if !validIfname(v) {
				return tuntapRequest{}, invalidName(`"dev" not a valid ifname`, v)
			}
			dev = v
		default:
			if dev != "" {
				return tuntapRequest{}, duplicateArg("dev", word)
			}
			if !validIfname(word) {
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

// tuntapError reports a failed TUNSETIFF as iproute2 does. netlink formats
// the errno into its message ("... failed [0], errno device or resource
// busy"), so the C library's text is rebuilt from it.
func tuntapError(s *script.State, err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "errno "); i >= 0 && strings.Contains(msg, "TUNSETIFF") {
		text := msg[i+len("errno "):]
		return s.Fail(exitErr, "ioctl(TUNSETIFF): %s", script.Capitalize(text))
	}
	var errno syscall.Errno
	if errors.As(err, &errno) { // opening /dev/net/tun failed
		return s.Fail(exitErr, "open: %s", script.Strerror(errno))
	}
	return s.Fail(exitErr, "ip tuntap add: %v", err)
}
