package scenariofile

import (
	"regexp"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/imports"
)

// Condition is a [condition] a scenario line may start with: [NAME], or
// [NAME:ARG] when Param is set, either negated as [!NAME].
type Condition struct {
	Name    string
	Param   bool
	Summary string // one line, for help
	// Placeholder marks a Name that stands for a value ([GOOS] is
	// written [linux]): it is listed, never matched by name.
	Placeholder bool
}

// String is the condition as written in a scenario: "root", "exec:PROG".
func (c Condition) String() string {
	if c.Param {
		arg, ok := paramNames[c.Name]
		if !ok {
			arg = "arg"
		}
		return c.Name + ":" + strings.ToUpper(arg)
	}
	return c.Name
}

// paramNames are the argument names of conditions that take one, for
// String; "arg" for others.
var paramNames = map[string]string{"exec": "prog", "link": "kind"}

// TestscriptConditions are the conditions testscript evaluates itself,
// besides the name of any GOOS or GOARCH and goN.M.
var TestscriptConditions = []Condition{
	{Name: "exec", Param: true, Summary: "the program PROG is installed (in the PATH)"},
	{Name: "short", Summary: "go test runs with -short"},
	{Name: "net", Summary: "testscript's guess that the outside network is reachable (scenarios never use it)"},
	{Name: "link", Summary: "the file system supports hard links"},
	{Name: "symlink", Summary: "the file system supports symbolic links"},
	{Name: "unix", Summary: "the system is a Unix"},
	{Name: "gc", Summary: "the Go compiler is gc"},
	{Name: "gccgo", Summary: "the Go compiler is gccgo"},
	{Name: "GOOS", Placeholder: true, Summary: "the operating system is GOOS (linux, ...)"},
	{Name: "GOARCH", Placeholder: true, Summary: "the architecture is GOARCH (amd64, ...)"},
	{Name: "goN.M", Placeholder: true, Summary: "the Go release is N.M or later"},
}

var goVersion = regexp.MustCompile(`^go([1-9][0-9]*)\.([1-9][0-9]*)$`)

// KnownCondition reports whether cond (the text between the brackets,
// with or without "!") is a condition testscript or one of ours
// evaluates, so that a misspelt condition is found before a run, where
// testscript would fail the scenario with "unknown condition".
func KnownCondition(cond string, ours []Condition) bool {
	cond = strings.TrimSpace(strings.TrimPrefix(cond, "!"))
	name, arg, param := strings.Cut(cond, ":")
	if param && arg == "" {
		return false
	}
	if imports.KnownOS[cond] || imports.KnownArch[cond] || goVersion.MatchString(cond) {
		return true
	}
	known := func(c Condition) bool {
		return c.Name == name && c.Param == param && !c.Placeholder
	}
	return slices.ContainsFunc(TestscriptConditions, known) || slices.ContainsFunc(ours, known)
}
