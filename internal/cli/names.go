package cli

import (
	"path/filepath"
	"strings"

	"github.com/netscript/netscript/runner"
)

// scenarioFile is a scenario to run and the name a run shows it under.
type scenarioFile struct {
	path string // as given, or as found in a given directory
	name string
}

// nameScenarios names the files as "netscript run" shows them in its lines,
// -json events and JUnit report, and as -run matches them: the file's base
// name without .txtar, or, when other files share it (a/x.txtar and
// b/x.txtar), the shortest trailing part of its path that no other file's
// has ("a/x", "b/x"). Files given twice, under any spelling, are run once.
func nameScenarios(files []string) []scenarioFile {
	type entry struct {
		path  string
		parts []string // the clean absolute path's elements, the last without extension
	}
	var entries []entry
	seen := make(map[string]bool)
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			abs = filepath.Clean(f)
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		parts := strings.Split(strings.TrimPrefix(abs, string(filepath.Separator)), string(filepath.Separator))
		parts[len(parts)-1] = runner.ScenarioName(parts[len(parts)-1])
		entries = append(entries, entry{f, parts})
	}
	suffix := func(parts []string, k int) string {
		return strings.Join(parts[max(0, len(parts)-k):], "/")
	}
	counts := make(map[int]map[string]int) // k -> k-element suffix -> files that have it
	count := func(k int, s string) int {
		if counts[k] == nil {
			counts[k] = make(map[string]int)
			for _, e := range entries {
				counts[k][suffix(e.parts, k)]++
			}
		}
		return counts[k][s]
	}
	out := make([]scenarioFile, len(entries))
	for i, e := range entries {
		name := filepath.ToSlash(e.path) // x.txt and x.txtar side by side: only the extension differs
		for k := 1; k <= len(e.parts); k++ {
			if s := suffix(e.parts, k); count(k, s) == 1 {
				name = s
				break
			}
		}
		out[i] = scenarioFile{path: e.path, name: name}
	}
	return out
}
