package scenariofile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// Problem is something that stops a scenario before its first line runs.
type Problem struct {
	Line int // the line of the archive file's marker; 0 for the whole file
	Msg  string
}

// Limits on names, from the kernel's NAME_MAX and PATH_MAX.
const (
	// MaxNameElem is the longest element of an archive file's name.
	MaxNameElem = 255
	// MaxName is the longest archive file name: half of PATH_MAX, which
	// leaves the other half for the work directory's own path.
	MaxName = 2048
	// MaxScenarioName is the longest scenario name (the file's base name
	// without .txtar): testscript works in a directory "script-NAME", to
	// which it may add "#N" when two scenarios have the same name.
	MaxScenarioName = MaxNameElem - len("script-") - len("#99")
)

// tmpDir is the directory testscript makes in the work directory ($TMPDIR)
// before it writes the archive's files.
const tmpDir = ".tmp"

// Check returns the problems that stop the scenario in a, read from file,
// before its first line runs, in line order:
//
//   - a scenario name too long for testscript's work directory;
//   - a script without a command (only blank lines and comments), which
//     would pass without checking anything;
//   - archive files testscript would write outside the work directory:
//     absolute names, names with "..", and names with variables, which
//     are all empty when testscript writes the archive ("$WORK/x" is
//     written to "/x");
//   - archive files given twice, over testscript's temporary directory, or
//     inside (or holding) another of the archive's files;
//   - names with a NUL byte, and names too long for the kernel.
func Check(file string, a *txtar.Archive) []Problem {
	var probs []Problem
	report := func(line int, format string, args ...any) {
		probs = append(probs, Problem{line, fmt.Sprintf(format, args...)})
	}
	if name := scenarioName(file); len(name) > MaxScenarioName {
		report(0, "the scenario's name is %d bytes long, over %d: testscript's work directory script-NAME would exceed the %d-byte limit of a file name",
			len(name), MaxScenarioName, MaxNameElem)
	}
	if !hasCommand(a.Comment) {
		report(0, "the scenario has no commands")
	}
	files := make(map[string]int) // cleaned name -> line
	dirs := make(map[string]int)  // directories the files need -> line of the first
	line := 1 + strings.Count(string(a.Comment), "\n")
	for _, f := range a.Files {
		if msg := checkName(f.Name, line, files, dirs); msg != "" {
			report(line, "%s", msg)
		}
		line += 1 + strings.Count(string(f.Data), "\n")
	}
	return probs
}

// checkName checks the archive file name at line against the files and
// directories before it, and records it.
func checkName(name string, line int, files, dirs map[string]int) string {
	q := quote(name)
	if name == "" {
		return "archive file with an empty name"
	}
	if strings.IndexByte(name, 0) >= 0 {
		return fmt.Sprintf("archive file %s: the name has a NUL byte", q)
	}
	// testscript expands the name before its environment is set up: every
	// variable expands to nothing.
	expanded := os.Expand(name, func(string) string { return "" })
	where := ""
	if expanded != name {
		where = fmt.Sprintf(" (written as %s: variables are empty when testscript writes the archive)", quote(expanded))
	}
	p := filepath.Clean(expanded)
	switch {
	case expanded == "" || p == ".":
		return fmt.Sprintf("archive file %s names the scenario's directory itself%s", q, where)
	case filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Sprintf("archive file %s is outside the scenario's directory%s", q, where)
	case len(p) > MaxName:
		return fmt.Sprintf("archive file %s: the name is %d bytes long, over %d", q, len(p), MaxName)
	}
	for _, elem := range strings.Split(p, "/") {
		if len(elem) > MaxNameElem {
			return fmt.Sprintf("archive file %s: a name in its path is %d bytes long, over the kernel's %d", q, len(elem), MaxNameElem)
		}
	}
	if p == tmpDir || strings.HasPrefix(p, tmpDir+"/") {
		return fmt.Sprintf("archive file %s is in testscript's temporary directory %s", q, tmpDir)
	}
	if first, dup := files[p]; dup {
		return fmt.Sprintf("archive file %s is given twice (first at line %d)", q, first)
	}
	if first, ok := dirs[p]; ok {
		return fmt.Sprintf("archive file %s is a directory of the archive file at line %d", q, first)
	}
	for d := filepath.Dir(p); d != "."; d = filepath.Dir(d) {
		if first, ok := files[d]; ok {
			return fmt.Sprintf("archive file %s is inside %s, a file of the archive (line %d)", q, quote(d), first)
		}
	}
	files[p] = line
	for d := filepath.Dir(p); d != "."; d = filepath.Dir(d) {
		if _, ok := dirs[d]; !ok {
			dirs[d] = line
		}
	}
	return ""
}

// hasCommand reports whether script has a line that is neither blank nor a
// comment, as testscript reads it.
func hasCommand(script []byte) bool {
	for l := range strings.SplitSeq(string(script), "\n") {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			return true
		}
	}
	return false
}

// scenarioName is the name testscript gives file's scenario.
func scenarioName(file string) string {
	name := filepath.Base(file)
	if n, ok := strings.CutSuffix(name, ".txt"); ok {
		return n
	}
	if n, ok := strings.CutSuffix(name, ".txtar"); ok {
		return n
	}
	return name
}

// quote quotes name for a message, cut short when it is long.
func quote(name string) string {
	const max = 80
	if len(name) > max {
		return fmt.Sprintf("%q...", name[:max])
	}
	return fmt.Sprintf("%q", name)
}
