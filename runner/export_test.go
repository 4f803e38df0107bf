package runner

import (
	"os"
	"testing"
)

// Helpers of the package's own tests, for the tests in package runner_test
// (which may import the netscript command, itself importing runner).
var (
	RequireRoot        = requireRoot
	InPrivateHost      = inPrivateHost
	HostSnapshot       = hostSnapshot
	NoisySysctls       = noisySysctls
	NetnsHeldBySelf    = func() map[string]bool { return netnsHeldBy(selfPid()) }
	StartNetns         = func() string { return startNetns }
	ChildProcesses     = func() []int { return childPids(selfPid()) }
	ProcessExists      = processExists
	CheckHostUntouched = func(t *testing.T, before map[string][]string, noisy map[string]bool) {
		t.Helper()
		checkHostUntouched(t, before, noisy)
	}
)

func selfPid() int { return os.Getpid() }
