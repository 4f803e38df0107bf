// Package commands assembles the command table: every command a scenario
// can use beyond testscript's own. The runner installs it, and help, lint
// and docs are generated from it.
package commands

import (
	"github.com/netscript/netscript/internal/cmptime"
	"github.com/netscript/netscript/internal/iproute"
	"github.com/netscript/netscript/internal/nettools"
	"github.com/netscript/netscript/internal/probe"
	"github.com/netscript/netscript/internal/reach"
	"github.com/netscript/netscript/internal/retry"
	"github.com/netscript/netscript/internal/service"
	"github.com/netscript/netscript/internal/sysctl"
	"github.com/netscript/netscript/internal/tools"
	"github.com/netscript/netscript/script"
)

// Table returns a new command table.
func Table() script.Table {
	t := make(script.Table)
	t.Add(iproute.Cmd(t))
	t.Add(nettools.RouteCmd())
	t.Add(probe.PingCmd())
	t.Add(probe.Ping6Cmd())
	t.Add(sysctl.SysctlCmd())
	t.Add(reach.Cmd())
	t.Add(retry.Cmd(t))
	t.Add(service.ListenCmd())
	t.Add(service.ConnectCmd())
	t.Add(iproute.BridgeCmd())
	for _, c := range tools.Cmds() {
		t.Add(c)
	}
	t.Add(cmptime.Cmd())
	return t
}
