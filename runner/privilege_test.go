package runner_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/privilege"
)

// withoutSysAdminEnv marks this test binary re-run by
// TestRunSkipsWithoutSysAdmin.
const withoutSysAdminEnv = "NETSCRIPT_TEST_WITHOUT_SYS_ADMIN"

// TestRunSkipsWithoutSysAdmin runs TestExtension, which calls runner.Run
// with no check of its own, as uid 0 without CAP_SYS_ADMIN, as in a
// container that withholds it: Run must skip with the reason, not fail.
func TestRunSkipsWithoutSysAdmin(t *testing.T) {
	if os.Getenv(withoutSysAdminEnv) != "" {
		t.Skip("in the re-run test binary")
	}
	// The premise is uid 0 (which gets every capability of its bounding
	// set at exec); dropping one from that set needs CAP_SETPCAP.
	if os.Geteuid() != 0 {
		t.Skip("the test re-runs itself as uid 0 less a capability: needs uid 0")
	}
	privilege.Require(t, privilege.SetPCap)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestExtension$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), withoutSysAdminEnv+"=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := privilege.StartWithout(cmd, privilege.SysAdmin); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("runner.Run without CAP_SYS_ADMIN did not pass: %v\n%s", err, out.String())
	}
	for _, want := range []string{"--- SKIP: TestExtension", "netscript needs to create network namespaces (lacks CAP_SYS_ADMIN)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
