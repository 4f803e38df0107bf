package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/realtool"
)

// brokenRoute fails at a cmp, with a diff, after building a veth pair.
const brokenRoute = `# A route that is not where the golden says.
ip netns add ns0
ip netns add ns1
ip link add veth0 type veth peer name veth2
ip link set veth0 netns ns0
ip link set veth2 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns0 link set veth0 up
ip netns exec ns0 ip route
cmp stdout want
-- want --
10.0.0.0/24 dev veth9 proto kernel scope link src 10.0.0.1 linkdown 
`

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// checkSelfContained fails if page fetches anything: no script, no
// stylesheet or image from elsewhere.
func checkSelfContained(t *testing.T, name, page string) {
	t.Helper()
	for _, re := range []string{`<script`, `<link`, `\ssrc=`, `url\(`, `href="(https?:|//)`} {
		if regexp.MustCompile(re).MatchString(page) {
			t.Errorf("%s is not self-contained: it matches %s", name, re)
		}
	}
}

// TestHTMLReport runs a passing and a failing scenario with -html and
// checks the pages: the index lists both with status and time; a
// scenario's page holds its topology picture, every command with its
// output, and for the failure the failing line, its diff, the scenario's
// source around it, and the namespaces' state. The same report comes from
// the run's -json stream through netscript report -html.
func TestHTMLReport(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{"good.txtar": passing, "broken.txtar": brokenRoute})
	out := t.TempDir()
	code, stdout, stderr := run("run", "-html", filepath.Join(out, "run"), dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, "> ip netns list") {
		t.Errorf("-html alone printed a passing scenario's commands:\n%s", stdout)
	}
	code, stdout, stderr = run("run", "-json", "-v", dir)
	if code != exitFailed {
		t.Fatalf("-json: exit %d\n%s", code, stderr)
	}
	stream := filepath.Join(out, "run.json")
	if err := os.WriteFile(stream, []byte(stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run("report", "-html", filepath.Join(out, "report"), stream); code != exitFailed {
		t.Fatalf("report -html: exit %d\n%s", code, stderr)
	}
	for _, report := range []string{"run", "report"} {
		t.Run(report, func(t *testing.T) {
			index := readFile(t, filepath.Join(out, report, "index.html"))
			for _, want := range []string{`<span class="badge fail">fail</span></td><td><a href="scenarios/broken.html">broken</a>`,
				`<a href="scenarios/good.html">good</a>`, "1 passed", "1 failed", `broken.txtar:10: stdout and want differ`} {
				if !strings.Contains(index, want) {
					t.Errorf("index.html lacks %q:\n%s", want, index)
				}
			}
			if !regexp.MustCompile(`<td class="num">\d+\.\d\ds</td>`).MatchString(index) {
				t.Errorf("index.html shows no times:\n%s", index)
			}
			checkSelfContained(t, "index.html", index)
			broken := readFile(t, filepath.Join(out, report, "scenarios", "broken.html"))
			for _, want := range []string{
				"<svg", "ns0", "veth0",
				`<div class="fail">FAIL: ` + filepath.Join(dir, "broken.txtar") + `:10: stdout and want differ</div>`,
				`<div class="failing"><span class="n">10</span>cmp stdout want</div>`,
				`<div class="cmd">&gt; ip netns exec ns0 ip route</div>`,
				`<div class="del">-10.0.0.0/24 dev veth0 proto kernel scope link src 10.0.0.1 linkdown </div>`,
				`<div class="add">&#43;10.0.0.0/24 dev veth9 proto kernel scope link src 10.0.0.1 linkdown </div>`,
				"Namespaces at the failure", "<h3>ns0: ip addr</h3>", "inet 10.0.0.1/24 scope global veth0",
			} {
				if !strings.Contains(broken, want) {
					t.Errorf("broken.html lacks %q", want)
				}
			}
			checkSelfContained(t, "broken.html", broken)
			good := readFile(t, filepath.Join(out, report, "scenarios", "good.html"))
			for _, want := range []string{`<div class="cmd">&gt; ip netns list</div>`, `<div class="out">ns0</div>`, `<div class="cmd">&gt; cmp stdout want</div>`} {
				if !strings.Contains(good, want) {
					t.Errorf("good.html lacks %q:\n%s", want, good)
				}
			}
			if strings.Contains(good, "WORK=") || strings.Contains(good, "PATH=") {
				t.Errorf("good.html shows testscript's environment:\n%s", good)
			}
		})
	}
}

func TestPageNames(t *testing.T) {
	used := map[string]bool{}
	for _, tc := range []struct{ name, want string }{
		{"veth-pair", "veth-pair.html"}, {"a b/../c", "a_b_.._c.html"}, {"a_b_.._c", "a_b_.._c-2.html"}, {"dup#1", "dup_1.html"},
	} {
		if got := pageName(tc.name, used); got != tc.want {
			t.Errorf("pageName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVerboseWithoutEnvironment checks that -v shows commands and outputs
// but not testscript's environment dump.
func TestVerboseWithoutEnvironment(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{"good.txtar": passing})
	code, stdout, _ := run("run", "-v", dir)
	if code != exitOK || !strings.Contains(stdout, "> ip netns list") || !strings.Contains(stdout, "    ns0\n") {
		t.Errorf("-v: exit %d\n%s", code, stdout)
	}
	for _, env := range []string{"WORK=", "PATH=", "HOME=", "TMPDIR="} {
		if strings.Contains(stdout, env) {
			t.Errorf("-v shows the environment (%s):\n%s", env, stdout)
		}
	}
	args := []any{"WORK=$WORK\nPATH=/bin\n\n> ip link\n"}
	if got := withoutEnvDump(args); got[0] != "> ip link\n" {
		t.Errorf("withoutEnvDump = %q", got)
	}
	for _, keep := range []string{"WORK=x\n> cmd\n", "WORK=$WORK\nnot an assignment\n\n> ip\n"} {
		if got := withoutEnvDump([]any{keep}); got[0] != keep {
			t.Errorf("withoutEnvDump(%q) = %q", keep, got)
		}
	}
}
