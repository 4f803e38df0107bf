package netscript_test

import (
	"testing"

	"github.com/netscript/netscript/runner"
)

// TestScenarios runs every scenario in scenarios/ in its own private
// network namespaces. Run with -update to rewrite their golden files.
func TestScenarios(t *testing.T) {
	runner.Run(t, "scenarios")
}
