package runner

import "testing"

// TestStdin runs the scenarios of testdata/stdin: the input that
// testscript's "stdin FILE" sets reaches the next command, whether it is a
// netscript command running a real program (ip netns exec, a tool line,
// the real ip that "ip -batch" falls back to) or testscript's exec, and no
// command after it.
func TestStdin(t *testing.T) {
	requireRoot(t)
	Run(t, "testdata/stdin")
}
