package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/realtool"
)

// TestUpdateSaysWhatItRewrote checks that -update names each scenario file
// it rewrote and the archive files that changed in it.
func TestUpdateSaysWhatItRewrote(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{
		"stale.txtar": "ip netns add ns0\nip netns list\ncmp stdout want\ncmp stdout also\n-- want --\nwrong\n-- also --\nns0\n-- other --\nx\n",
		"fine.txtar":  passing,
	})
	code, _, stderr := run("run", "-update", dir)
	if want := "netscript run: -update rewrote " + filepath.Join(dir, "stale.txtar") + ": want\n"; code != exitOK || stderr != want {
		t.Errorf("exit %d, stderr %q; want 0, %q", code, stderr, want)
	}
	code, _, stderr = run("run", "-update", dir)
	if code != exitOK || !strings.Contains(stderr, "-update rewrote no file") {
		t.Errorf("second run: exit %d, stderr %q", code, stderr)
	}
}
