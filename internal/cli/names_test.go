package cli

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/realtool"
)

func TestNameScenarios(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string // path=name
	}{
		{"unique base names", []string{"s/a.txtar", "t/b.txt"}, []string{"s/a.txtar=a", "t/b.txt=b"}},
		{"same base name", []string{"a/x.txtar", "b/x.txtar", "b/y.txtar"},
			[]string{"a/x.txtar=a/x", "b/x.txtar=b/x", "b/y.txtar=y"}},
		{"same parent name too", []string{"p/a/x.txtar", "q/a/x.txtar", "r/x.txtar"},
			[]string{"p/a/x.txtar=p/a/x", "q/a/x.txtar=q/a/x", "r/x.txtar=r/x"}},
		{"only the extension differs", []string{"a/x.txt", "a/x.txtar"},
			[]string{"a/x.txt=a/x.txt", "a/x.txtar=a/x.txtar"}},
		{"given twice", []string{"a/x.txtar", "./a/../a/x.txtar"}, []string{"a/x.txtar=x"}},
		{"hash in a name", []string{"a/x.txtar", "b/x#1.txtar", "c/x.txtar"},
			[]string{"a/x.txtar=a/x", "b/x#1.txtar=x#1", "c/x.txtar=c/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range nameScenarios(tt.files) {
				got = append(got, f.path+"="+f.name)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSameBaseNames runs a/x.txtar, which passes, and b/x.txtar, which
// fails: the lines, the -json events and the JUnit report must name them
// apart, with each testcase's file its own, and -run must select by that
// name.
func TestSameBaseNames(t *testing.T) {
	realtool.RequireRoot(t)
	dir := t.TempDir()
	for name, text := range map[string]string{"a/x.txtar": passing, "b/x.txtar": failing} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(dir, "a", "x.txtar"), filepath.Join(dir, "b", "x.txtar")
	report := filepath.Join(t.TempDir(), "junit.xml")
	code, out, errs := run("run", "-junit", report, filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, want := range []string{"--- PASS: a/x (", "--- FAIL: b/x (", "FAIL: " + b + ":2: ip link set veth9 up", "1 passed, 1 failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			File    string    `xml:"file,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, c := range doc.Cases {
		cases = append(cases, c.Name+" "+c.File+" "+map[bool]string{true: "failed", false: "passed"}[c.Failure != nil])
	}
	if want := []string{"a/x " + a + " passed", "b/x " + b + " failed"}; strings.Join(cases, "\n") != strings.Join(want, "\n") {
		t.Errorf("JUnit testcases:\n%s\nwant:\n%s", strings.Join(cases, "\n"), strings.Join(want, "\n"))
	}

	_, out, _ = run("run", "-json", filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	ended := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e struct{ Action, Test string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON event: %q", sc.Text())
		}
		if e.Test != "" && (e.Action == "pass" || e.Action == "fail") {
			ended[e.Test] = e.Action
		}
	}
	if len(ended) != 2 || ended["a/x"] != "pass" || ended["b/x"] != "fail" {
		t.Errorf("-json test results %v, want a/x pass, b/x fail", ended)
	}

	code, out, errs = run("run", "-run", "^b/", filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	if code != 1 || strings.Contains(out, "a/x") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Errorf("-run ^b/: exit %d\n%s%s", code, out, errs)
	}
}
