package iproute

import (
	"errors"

	"github.com/vishvananda/netlink/nl"

	"github.com/netscript/netscript/internal/world"
)

// dump is world.NS.Dump, going on with what came when the kernel marks the
// dump as interrupted.
func dump(ns *world.NS, req *nl.NetlinkRequest, resType uint16) ([][]byte, error) {
	msgs, err := ns.Dump(req, resType)
	if errors.Is(err, nl.ErrDumpInterrupted) {
		err = nil
	}
	return msgs, err
}
