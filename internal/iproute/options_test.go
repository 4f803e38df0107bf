package iproute

import (
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

// TestUnhonouredOptionsAreRefused checks that every global option an
// object does not honour is refused with "not implemented by netscript",
// never ignored: an ignored option would print something other than the
// real tool does. (testdata/options.cmds compares the honoured ones with
// iproute2.)
func TestUnhonouredOptionsAreRefused(t *testing.T) {
	for _, line := range []string{
		"-c route", "-color=always route", "-r route", "-echo route add 10.7.0.0/16 dev veth0",
		"-0 route", "-f link route", "-M route", "-B link", "-0 addr", "-a netns", "-a netns exec a true",
		"-s link show lo", "-o link show lo", "-N link show lo",
		"-s addr", "-o addr", "-br -o addr", "-N addr",
		"-s neigh", "-o neigh", "-N neigh", "-c neigh",
		"-echo link set vc down", "-echo tuntap del dev tap0 mode tap", "-echo addr add 10.0.0.1/24 dev lo",
		"-s addr flush dev lo", "-V", "-Version", "-b /dev/null", "-batch x",
		"-c route get 10.0.0.1", "-r route get 10.0.0.1", "-echo route flush dev lo",
	} {
		_, err := ipCmd().Parse(strings.Fields(line))
		e, ok := err.(*script.ExitError)
		if !ok || !strings.Contains(e.Msg, "not implemented by netscript") {
			t.Errorf("ip %s: got %v, want a refusal saying \"not implemented by netscript\"", line, err)
		}
	}
}
