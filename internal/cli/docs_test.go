package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/runner"
	"github.com/netscript/netscript/script"
)

const shardingDoc = "../../docs/sharding.md"

// docFiles returns the files docs/sharding.md shows, by name: each fenced
// block after a "<!-- file: NAME -->" line.
func docFiles(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(shardingDoc)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)<!-- file: (\\S+) -->\n```[a-z]*\n(.*?)\n```\n")
	files := make(map[string]string)
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		files[m[1]] = m[2] + "\n"
	}
	for _, want := range []string{".github/workflows/netscript.yml", "netscript-job.yaml", "BUILD.bazel", "netscript_test.sh"} {
		if files[want] == "" {
			t.Fatalf("%s does not show %s", shardingDoc, want)
		}
	}
	return files
}

// yamlToJSON parses YAML with python3's yaml module (a dependency of
// yamllint), for the structure checks.
func yamlToJSON(t *testing.T, text string) map[string]any {
	t.Helper()
	if err := exec.Command("python3", "-c", "import yaml").Run(); err != nil {
		t.Skip("python3 with the yaml module (Debian's python3-yaml) is not installed")
	}
	cmd := exec.Command("python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)")
	cmd.Stdin = strings.NewReader(text)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the YAML does not parse: %v\n%s", err, text)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// at walks doc along path: map keys, or list indexes as numbers.
func at(doc any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := doc.(map[string]any)
			doc = m[k]
		case int:
			l, _ := doc.([]any)
			if k >= len(l) {
				return nil
			}
			doc = l[k]
		}
	}
	return doc
}

// TestShardingDocYAML lints the documented GitHub Actions workflow and
// Kubernetes Job with yamllint, and checks what they say: three parts,
// each given its shard, merged by netscript report; an Indexed Job of
// privileged pods whose -shards equals its completions.
func TestShardingDocYAML(t *testing.T) {
	files := docFiles(t)
	dir := t.TempDir()
	for _, name := range []string{".github/workflows/netscript.yml", "netscript-job.yaml"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			path := filepath.Join(dir, filepath.Base(name))
			if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := exec.LookPath("yamllint"); err != nil {
				t.Log("yamllint is not installed: only parsed")
			} else {
				conf := "{extends: default, rules: {line-length: {max: 130}, document-start: disable, truthy: {check-keys: false}}}"
				if out, err := exec.Command("yamllint", "-s", "-d", conf, path).CombinedOutput(); err != nil {
					t.Errorf("yamllint: %v\n%s", err, out)
				}
			}
		})
	}
	wf := yamlToJSON(t, files[".github/workflows/netscript.yml"])
	if got := fmt.Sprint(at(wf, "jobs", "scenarios", "strategy", "matrix", "shard")); got != "[1 2 3]" {
		t.Errorf("the matrix's shards are %s", got)
	}
	var runs []string
	for _, job := range []string{"scenarios", "report"} {
		steps, _ := at(wf, "jobs", job, "steps").([]any)
		for _, s := range steps {
			if r, ok := at(s, "run").(string); ok {
				runs = append(runs, r)
			}
		}
	}
	joined := strings.Join(runs, "\n")
	for _, want := range []string{"netscript run -json -shard ${{ matrix.shard }}/3 scenarios/", "netscript report -summary -junit report.xml -html report part-*.json"} {
		if !strings.Contains(joined, want) {
			t.Errorf("the workflow does not run %q:\n%s", want, joined)
		}
	}
	if at(wf, "jobs", "report", "needs") != "scenarios" || at(wf, "jobs", "report", "if") != "always()" {
		t.Error("the report job does not wait for the parts, or not when one failed")
	}

	job := yamlToJSON(t, files["netscript-job.yaml"])
	for path, want := range map[string]any{
		"apiVersion": "batch/v1", "kind": "Job", "spec.completionMode": "Indexed",
		"spec.template.spec.restartPolicy":                           "Never",
		"spec.template.spec.containers.0.securityContext.privileged": true,
	} {
		var p []any
		for _, k := range strings.Split(path, ".") {
			if k == "0" {
				p = append(p, 0)
			} else {
				p = append(p, k)
			}
		}
		if got := at(job, p...); got != want {
			t.Errorf("the Job's %s is %v, want %v", path, got, want)
		}
	}
	caps := fmt.Sprint(at(job, "spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add"))
	if caps != "[NET_ADMIN SYS_ADMIN]" {
		t.Errorf("the pods' added capabilities are %s", caps)
	}
	command := fmt.Sprint(at(job, "spec", "template", "spec", "containers", 0, "command"))
	completions := at(job, "spec", "completions")
	if want := fmt.Sprintf("-shards %v ", completions); !strings.Contains(command, want) || at(job, "spec", "parallelism") != completions {
		t.Errorf("the pods run %s, the Job has %v completions and parallelism %v", command, completions, at(job, "spec", "parallelism"))
	}
}

// TestShardingDocBazel checks the documented BUILD file's syntax (Starlark
// parses as Python) and runs the documented sh_test script as Bazel runs a
// target with shard_count = 3: three processes whose JUnit reports hold
// every shipped scenario once.
func TestShardingDocBazel(t *testing.T) {
	files := docFiles(t)
	if !strings.Contains(files["BUILD.bazel"], "shard_count = 3") {
		t.Errorf("the BUILD file does not shard by 3:\n%s", files["BUILD.bazel"])
	}
	if _, err := exec.LookPath("python3"); err == nil {
		cmd := exec.Command("python3", "-c", "import ast, sys; ast.parse(sys.stdin.read())")
		cmd.Stdin = strings.NewReader(files["BUILD.bazel"])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("BUILD.bazel does not parse: %v\n%s", err, out)
		}
	}
	realtool.RequireRoot(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "netscript_test.sh")
	if err := os.WriteFile(script, []byte(files["netscript_test.sh"]), 0o755); err != nil {
		t.Fatal(err)
	}
	status := filepath.Join(dir, "status")
	var got []string
	for i := range 3 {
		xmlOut := filepath.Join(dir, fmt.Sprintf("test%d.xml", i))
		cmd := exec.Command(script, os.Args[0])
		cmd.Dir = "../.." // Bazel runs tests from the workspace's runfiles root
		cmd.Env = []string{mainEnv + "=1", "PATH=" + os.Getenv("PATH"), "HOME=/", "TEST_TOTAL_SHARDS=3",
			fmt.Sprintf("TEST_SHARD_INDEX=%d", i), "TEST_SHARD_STATUS_FILE=" + status, "XML_OUTPUT_FILE=" + xmlOut}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("shard %d: %v\n%s", i, err, out)
		}
		got = append(got, junitCases(t, xmlOut)...)
	}
	shipped, err := runner.Expand([]string{"../../scenarios"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range shipped {
		want = append(want, runner.ScenarioName(f))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("the three shards ran %q, want %q", got, want)
	}
	if _, err := os.Stat(status); err != nil {
		t.Errorf("the shard status file was not touched: %v", err)
	}
}

const readme = "../../README.md"

// TestREADMECommandReference fails when README.md's command reference and
// the command table drift apart, as cmd/go's test of its script README
// does: "make docs" rewrites the reference.
func TestREADMECommandReference(t *testing.T) {
	old, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	updated, err := SpliceReference(old)
	if err != nil {
		t.Fatalf("%s: %v", readme, err)
	}
	if string(updated) != string(old) {
		t.Errorf("%s's command reference is stale: run `make docs`.\nWant:\n%s", readme,
			commandReference(commands.Table()))
	}
}

// TestCommandReferenceFollowsTheTable checks that the reference changes with
// the table: a command added, removed or described anew makes README.md
// stale, so TestREADMECommandReference fails.
func TestCommandReferenceFollowsTheTable(t *testing.T) {
	old, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		change func(script.Table)
		want   string // in the new reference; "" for none
		gone   string // not in it
	}{
		{name: "added", change: func(tb script.Table) {
			tb.Add(&script.Cmd{Name: "frob", Usage: script.Usage{Summary: "frob the links", Args: "DEV"}})
		}, want: "- `frob DEV`: frob the links\n"},
		{name: "removed", change: func(tb script.Table) { delete(tb, "reach") }, gone: "- `reach "},
		{name: "summary", change: func(tb script.Table) {
			c := *tb["listen"]
			c.Usage.Summary = "listen differently"
			tb["listen"] = &c
		}, want: "listen differently"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			table := commands.Table()
			tt.change(table)
			ref := commandReference(table)
			if tt.want != "" && !strings.Contains(ref, tt.want) {
				t.Errorf("reference lacks %q:\n%s", tt.want, ref)
			}
			if tt.gone != "" && strings.Contains(ref, tt.gone) {
				t.Errorf("reference still has %q:\n%s", tt.gone, ref)
			}
			updated, err := spliceReference(old, ref)
			if err != nil {
				t.Fatal(err)
			}
			if string(updated) == string(old) {
				t.Error("README.md would still pass as up to date")
			}
		})
	}
}

func TestSpliceReferenceErrors(t *testing.T) {
	for _, tt := range []struct{ name, text, err string }{
		{"no markers", "# x\n", "no line"},
		{"no end", "a\n" + referenceBegin + "b\n", "no line \"<!-- End"},
		{"end first", referenceEnd + "x\n" + referenceBegin, "no line \"<!-- End"},
		{"twice", referenceBegin + referenceEnd + referenceBegin + referenceEnd, "twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spliceReference([]byte(tt.text), "ref\n")
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("spliceReference = %v, want an error with %q", err, tt.err)
			}
		})
	}
	got, err := spliceReference([]byte("a\n"+referenceBegin+"old\n"+referenceEnd+"b\n"), "new\n")
	if want := "a\n" + referenceBegin + "new\n" + referenceEnd + "b\n"; err != nil || string(got) != want {
		t.Errorf("spliceReference = %q, %v; want %q", got, err, want)
	}
}

// TestHelpGrammar checks that "netscript help OBJECT..." prints exactly the
// usage text the command prints for "OBJECT... help", and refuses, naming
// why, where there is none.
func TestHelpGrammar(t *testing.T) {
	table := commands.Table()
	for _, line := range []string{"ip route", "ip ro", "ip neigh", "ip nexthop", "bridge fdb", "bridge vlan", "bridge mdb", "bridge link"} {
		t.Run(line, func(t *testing.T) {
			var stdout, stderr strings.Builder
			st := &script.State{Stdout: &stdout, Stderr: &stderr}
			err := table.Run(st, append(strings.Fields(line), "help"))
			if script.ExitCode(err) == 0 {
				t.Fatalf("%s help: %v: no usage", line, err)
			}
			want := stderr.String() + stdout.String()
			code, out, errOut := run(append([]string{"help"}, strings.Fields(line)...)...)
			if code != 0 || out != want || errOut != "" {
				t.Errorf("netscript help %s: exit %d, stdout\n%s\nstderr %q; want exit 0, stdout\n%s", line, code, out, errOut, want)
			}
		})
	}
	for _, tt := range []struct{ line, want string }{
		{"ip netns", `no grammar for "ip netns": ip netns help: not implemented by netscript`},
		{"ip mptcp", `no grammar for "ip mptcp": ip mptcp: not implemented by netscript`},
		{"tc qdisc", `no grammar for "tc qdisc": "tc qdisc help" prints no usage`},
		{"nope route", `unknown scenario command "nope"`},
	} {
		code, out, errOut := run(append([]string{"help"}, strings.Fields(tt.line)...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tt.want) {
			t.Errorf("netscript help %s: exit %d, stdout %q, stderr %q; want exit %d and %q", tt.line, code, out, errOut, exitUsage, tt.want)
		}
	}
}
