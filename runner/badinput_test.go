package runner_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/netscript/netscript/internal/cli"
	"github.com/netscript/netscript/runner"
)

// badDir holds the bad-input corpus: each file's "# want: " lines are what
// `netscript run FILE` must print (FILE:LINE: message, with the file named
// by its base name).
const badDir = "../testdata/bad"

// wantLocated is the shape of a corpus expectation's first line.
var wantLocated = regexp.MustCompile(`^[^:\s]+\.txtar:\d+: \S`)

// TestBadInputs runs every malformed scenario of testdata/bad, plus one
// with a 10 MB line, through the netscript command: each must exit non-zero
// with its expected file:line: message, without a panic, and leave nothing
// behind on the host or in this process.
func TestBadInputs(t *testing.T) {
	runner.RequireRoot(t)
	if !runner.InPrivateHost(t) {
		return
	}
	files, err := filepath.Glob(filepath.Join(badDir, "*.txtar"))
	if err != nil || len(files) < 50 {
		t.Fatalf("want at least 50 bad scenarios in %s, have %d (%v)", badDir, len(files), err)
	}
	huge := filepath.Join(t.TempDir(), "huge-line.txtar")
	line := bytes.Repeat([]byte("a"), 10<<20)
	data := append([]byte("# one 10 MB device name\n# want: huge-line.txtar:4: ip link set A up: Cannot find device \"A\" (exit status 1)\nip netns add a\nip link set "), line...)
	if err := os.WriteFile(huge, append(data, " up\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, huge)

	before := runner.HostSnapshot(t)
	noisy := runner.NoisySysctls(t, before)
	heldBefore := runner.NetnsHeldBySelf()
	var mu sync.Mutex
	tried := 0
	t.Run("corpus", func(t *testing.T) {
		for _, file := range files {
			t.Run(runner.ScenarioName(file), func(t *testing.T) {
				t.Parallel()
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				var wants [][]byte
				for _, l := range bytes.Split(data, []byte("\n")) {
					if w, ok := bytes.CutPrefix(l, []byte("# want: ")); ok {
						wants = append(wants, w)
					}
				}
				if len(wants) == 0 || !wantLocated.Match(wants[0]) {
					t.Fatalf("%s: no \"# want: FILE:LINE: message\" line", file)
				}
				var out bytes.Buffer
				code := cli.Main([]string{"run", "-timeout", "20s", file}, &out, &out)
				got := bytes.ReplaceAll(out.Bytes(), []byte(filepath.Dir(file)+"/"), nil)
				if file == huge {
					got = collapseRuns(got)
				}
				if code == 0 {
					t.Errorf("exit status 0; want non-zero")
				}
				if bytes.Contains(got, []byte("panic")) {
					t.Errorf("output mentions a panic")
				}
				for _, w := range wants {
					if !bytes.Contains(got, w) {
						t.Errorf("output lacks %q", w)
					}
				}
				if t.Failed() {
					t.Logf("exit status %d, output:\n%s", code, clip(got))
				}
				mu.Lock()
				tried++
				mu.Unlock()
			})
		}
	})
	for ns := range runner.NetnsHeldBySelf() {
		if !heldBefore[ns] && ns != runner.StartNetns() {
			t.Errorf("namespace %s is still held by this process after the corpus ran", ns)
		}
	}
	for _, pid := range runner.ChildProcesses() {
		if runner.ProcessExists(pid) {
			t.Errorf("process %d outlived its scenario", pid)
		}
	}
	runner.CheckHostUntouched(t, before, noisy)
	t.Logf("bad inputs tried: %d", tried)
}

func clip(b []byte) string {
	if len(b) > 4000 {
		return string(b[:4000]) + "..."
	}
	return strings.ToValidUTF8(string(b), "?")
}

// collapseRuns replaces every run of more than 1000 'a's with one "A".
func collapseRuns(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		i := bytes.IndexByte(b, 'a')
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i]...)
		b = b[i:]
		n := 0
		for n < len(b) && b[n] == 'a' {
			n++
		}
		if n > 1000 {
			out = append(out, 'A')
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}
