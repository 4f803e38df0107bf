package cli

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/realtool"
)

// outcomes returns "name status" of each result, sorted.
func outcomes(rep *mergedReport) []string {
	var out []string
	for _, r := range rep.results {
		out = append(out, r.name+" "+string(r.status))
	}
	sort.Strings(out)
	return out
}

// TestShardsOfScenarios runs the shipped scenarios once, then as 3 shards
// balanced by the first run's times: the merged shards hold the same
// scenarios with the same outcomes, each once.
func TestShardsOfScenarios(t *testing.T) {
	realtool.RequireRoot(t)
	dir := t.TempDir()
	all := filepath.Join(dir, "all.json")
	writeRun := func(path string, args ...string) {
		t.Helper()
		code, stdout, stderr := run(append([]string{"run", "-json"}, args...)...)
		if code != exitOK {
			t.Fatalf("netscript run %q: exit %d\n%s%s", args, code, stdout, stderr)
		}
		if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeRun(all, "../../scenarios")
	var shards []string
	for k := 1; k <= 3; k++ {
		path := filepath.Join(dir, fmt.Sprintf("shard%d.json", k))
		writeRun(path, "-shard", fmt.Sprintf("%d/3", k), "-durations", all, "../../scenarios")
		shards = append(shards, path)
	}
	one, err := readReports([]string{all})
	if err != nil {
		t.Fatal(err)
	}
	merged, err := readReports(shards)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := outcomes(merged), outcomes(one); !slices.Equal(got, want) || len(want) < 8 {
		t.Errorf("3 shards: %q\none run: %q", got, want)
	}
	var b strings.Builder
	merged.printSummary(&b)
	if !strings.Contains(b.String(), "3 stream(s): slowest ") {
		t.Errorf("summary lacks the shards' times:\n%s", b.String())
	}
	t.Logf("%s", b.String())
}

// netscriptEnv runs this test binary as the netscript command with args and
// the environment variables env, and returns its exit status and output.
func netscriptEnv(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append([]string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=/"}, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	return code, stdout.String(), stderr.String()
}

// junitCases reads the test case names of a JUnit report.
func junitCases(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var names []string
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			names = append(names, c.Name)
		}
	}
	return names
}

// TestShardEnvProtocols runs the netscript command as Bazel and a
// Kubernetes Indexed Job run it, with no sharding flag: each process runs
// its part, the parts hold every scenario once, Bazel's status file is
// touched and its XML_OUTPUT_FILE holds the shard's JUnit report.
func TestShardEnvProtocols(t *testing.T) {
	realtool.RequireRoot(t)
	files := map[string]string{}
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("s%d", i)
		files[name+".txtar"] = passing
		want = append(want, name)
	}
	dir := scenarios(t, files)
	out := t.TempDir()
	status := filepath.Join(out, "status")

	t.Run("bazel", func(t *testing.T) {
		var got []string
		for i := range 3 {
			xmlOut := filepath.Join(out, fmt.Sprintf("test%d.xml", i))
			code, stdout, stderr := netscriptEnv(t, []string{"TEST_TOTAL_SHARDS=3", fmt.Sprintf("TEST_SHARD_INDEX=%d", i),
				"TEST_SHARD_STATUS_FILE=" + status, "XML_OUTPUT_FILE=" + xmlOut}, "run", dir)
			if code != exitOK {
				t.Fatalf("shard %d: exit %d\n%s%s", i, code, stdout, stderr)
			}
			if !strings.Contains(stderr, fmt.Sprintf("netscript run: shard %d/3: ", i+1)) {
				t.Errorf("shard %d does not say which it is: %q", i, stderr)
			}
			got = append(got, junitCases(t, xmlOut)...)
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("the shards' JUnit reports hold %q, want %q", got, want)
		}
		if _, err := os.Stat(status); err != nil {
			t.Errorf("TEST_SHARD_STATUS_FILE was not touched: %v", err)
		}
	})

	t.Run("kubernetes", func(t *testing.T) {
		var streams []string
		for i := range 3 {
			env := []string{fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i)}
			args := []string{"run", "-json", dir}
			if i == 0 {
				args = []string{"run", "-json", "-shards", "3", dir}
			} else {
				env = append(env, "NETSCRIPT_SHARDS=3")
			}
			code, stdout, stderr := netscriptEnv(t, env, args...)
			if code != exitOK {
				t.Fatalf("index %d: exit %d\n%s%s", i, code, stdout, stderr)
			}
			path := filepath.Join(out, fmt.Sprintf("k%d.json", i))
			if err := os.WriteFile(path, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			streams = append(streams, path)
		}
		code, stdout, stderr := netscriptEnv(t, nil, append([]string{"report", "-summary", "-junit", filepath.Join(out, "all.xml")}, streams...)...)
		if code != exitOK || !strings.Contains(stdout, "7 passed, 0 failed, 0 skipped") {
			t.Errorf("report: exit %d\n%s%s", code, stdout, stderr)
		}
		got := junitCases(t, filepath.Join(out, "all.xml"))
		if !slices.Equal(got, want) {
			t.Errorf("the merged JUnit report holds %q, want %q", got, want)
		}
	})

	t.Run("mistakes", func(t *testing.T) {
		for _, tc := range []struct {
			env  []string
			args []string
			err  string
		}{
			{[]string{"JOB_COMPLETION_INDEX=1"}, []string{"run", dir},
				"JOB_COMPLETION_INDEX=1 but the number of shards is unknown: give -shards N or NETSCRIPT_SHARDS=N"},
			{[]string{"JOB_COMPLETION_INDEX=3", "NETSCRIPT_SHARDS=3"}, []string{"run", dir},
				"JOB_COMPLETION_INDEX=3 with 3 shards: shard 4 of 3 does not exist"},
			{nil, []string{"run", "-shards", "3", dir}, "-shards 3 needs JOB_COMPLETION_INDEX"},
			{nil, []string{"run", "-shard", "1/3", "-shards", "3", dir}, "-shards is the total of a Kubernetes Indexed Job"},
			{nil, []string{"run", "-durations", "x.json", dir}, "-durations balances shards: give -shard K/N too"},
			{nil, []string{"run", "-shard", "1/3", "-durations", filepath.Join(out, "none.json"), dir}, "no such file or directory"},
			{nil, []string{"run", "-shard", "4/3", dir}, `-shard: shard "4/3": shard 4 of 3 does not exist`},
			{[]string{"TEST_TOTAL_SHARDS=2", "TEST_SHARD_INDEX=x"}, []string{"run", dir}, `TEST_SHARD_INDEX="x" is not a number`},
		} {
			code, _, stderr := netscriptEnv(t, tc.env, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.err) {
				t.Errorf("%v netscript %q: exit %d, stderr %q; want 2 and %q", tc.env, tc.args, code, stderr, tc.err)
			}
		}
	})
}

// TestEmptyShard checks that a shard holding no scenario passes, with an
// empty JUnit report for Bazel.
func TestEmptyShard(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{"only.txtar": passing})
	xmlOut := filepath.Join(t.TempDir(), "test.xml")
	var empty int
	for k := 1; k <= 2; k++ {
		code, stdout, stderr := run("run", "-shard", fmt.Sprintf("%d/2", k), "-junit", xmlOut, dir)
		if strings.Contains(stderr, ": 0 of 1 scenarios") {
			empty++
			if code != exitOK || !strings.Contains(stdout, "0 passed, 0 failed, 0 skipped") {
				t.Errorf("empty shard: exit %d\n%s%s", code, stdout, stderr)
			}
			if got := junitCases(t, xmlOut); len(got) != 0 {
				t.Errorf("empty shard's JUnit report holds %q", got)
			}
		}
	}
	if empty != 1 {
		t.Errorf("%d of 2 shards of one scenario are empty, want 1", empty)
	}
}

// TestReportReadsStreams checks merging on hand-made streams: a scenario
// a killed shard never ended counts as failed, and bad input is refused
// with file:line.
func TestReportReadsStreams(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := write("a.json", `{"Time":"2026-12-05T09:00:00Z","Action":"start","Package":"netscript"}
{"Time":"2026-12-05T09:00:00Z","Action":"run","Package":"netscript","Test":"one"}
{"Time":"2026-12-05T09:00:01Z","Action":"pass","Package":"netscript","Test":"one","Elapsed":1.5,"File":"s/one.txtar"}
{"Time":"2026-12-05T09:00:02Z","Action":"pass","Package":"netscript","Elapsed":2}
`)
	b := write("b.json", `netscript run: shard 2/2: 2 of 3 scenarios
{"Time":"2026-12-05T09:00:00Z","Action":"start","Package":"netscript"}
{"Time":"2026-12-05T09:00:00Z","Action":"run","Package":"netscript","Test":"two"}
{"Time":"2026-12-05T09:00:04Z","Action":"run","Package":"netscript","Test":"three"}
{"Time":"2026-12-05T09:00:04Z","Action":"output","Package":"netscript","Test":"three","Output":"FAIL: s/three.txtar:1: x\n"}
{"Time":"2026-12-05T09:00:04Z","Action":"fail","Package":"netscript","Test":"three","Elapsed":0.25}
`)
	rep, err := readReports([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomes(rep); !slices.Equal(got, []string{"one pass", "three fail", "two fail"}) {
		t.Errorf("outcomes %q", got)
	}
	if rep.results[0].file != "s/one.txtar" || rep.results[2].log == "" || rep.wall().Seconds() != 4 {
		t.Errorf("file %q, log %q, wall %v", rep.results[0].file, rep.results[2].log, rep.wall())
	}
	for _, tc := range []struct{ text, err string }{
		{"{not json\n", "bad.json:1: not an event of netscript run -json"},
		{"not json\n", "bad.json: no event of netscript run -json"},
		{`{"Action":"pass","Package":"example.com/x"}` + "\n", `bad.json:1: an event of package "example.com/x", not of netscript run -json`},
		{`{"Action":"run","Package":"netscript","Test":"x"}` + "\n" + `{"Action":"run","Package":"netscript","Test":"x"}` + "\n", "bad.json:2: scenario x started twice"},
		{`{"Action":"jump","Package":"netscript","Test":"x"}` + "\n", `bad.json:1: unknown action "jump"`},
	} {
		_, err := readReports([]string{write("bad.json", tc.text)})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.err)
		}
	}
	if code, _, stderr := run("report"); code != exitUsage || !strings.Contains(stderr, "usage: netscript report") {
		t.Errorf("report without files: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := run("report", a, b)
	if code != exitFailed || !strings.Contains(stdout, "1 passed, 2 failed, 0 skipped") {
		t.Errorf("report: exit %d\n%s", code, stdout)
	}
	if want := "netscript report: " + b + ": skipped 1 line(s) that are not JSON events\n"; stderr != want {
		t.Errorf("report's stderr %q, want %q", stderr, want)
	}
}
