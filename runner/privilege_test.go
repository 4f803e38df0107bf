package runner_test

import (
	"os"
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
	out := privilege.RerunWithout(t, "TestExtension", withoutSysAdminEnv+"=1", privilege.SysAdmin)
	for _, want := range []string{"--- SKIP: TestExtension", "netscript needs to create network namespaces (lacks CAP_SYS_ADMIN)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
