package cli

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/lint"
	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/runner"
	"github.com/netscript/netscript/script"
)

// The markers around README.md's command reference, which "make docs"
// (go run ./internal/cli/gendocs) writes from the command table, as cmd/go
// generates its script README. TestREADMECommandReference fails when the
// two drift.
const (
	referenceBegin = "<!-- The command reference is generated from the command table by `make docs`: do not edit it here. -->\n"
	referenceEnd   = "<!-- End of the generated command reference. -->\n"
)

// referenceWidth is where the reference's paragraphs wrap, as the rest of
// README.md does.
const referenceWidth = 95

// commandReference returns the Markdown reference of table's commands: one
// line each, with its arguments and summary, then the conditions and
// testscript's own commands, as "netscript help" lists them.
func commandReference(table script.Table) string {
	var b strings.Builder
	b.WriteString(wrap("Every command a scenario line can start with, as `netscript help` lists them. "+
		"`netscript help CMD` prints a command's full description, and `netscript help ip route` "+
		"(or `ip neigh`, `bridge fdb`, ...) the full grammar of that object, as the command prints it "+
		"for `ip route help`.", referenceWidth) + "\n\n")
	for _, name := range table.Names() {
		u := table[name].Usage
		usage := name
		if u.Args != "" {
			usage += " " + u.Args
		}
		fmt.Fprintf(&b, "- `%s`: %s\n", usage, u.Summary)
	}
	b.WriteString("\nConditions, as in `[cond] cmd` and `[!cond] cmd`: netscript's\n\n")
	for _, c := range runner.ConditionList() {
		fmt.Fprintf(&b, "- `[%s]`: %s\n", c, c.Summary)
	}
	b.WriteString("\nand testscript's\n\n")
	for _, c := range scenariofile.TestscriptConditions {
		fmt.Fprintf(&b, "- `[%s]`: %s\n", c, c.Summary)
	}
	builtins := fmt.Sprintf("testscript's own commands: `%s`.", strings.Join(lint.Builtins(), "`, `"))
	fmt.Fprintf(&b, "\n%s\n", wrap(builtins, referenceWidth))
	return b.String()
}

// SpliceReference returns readme with the text between its command
// reference markers replaced by the reference generated from the command
// table.
func SpliceReference(readme []byte) ([]byte, error) {
	return spliceReference(readme, commandReference(commands.Table()))
}

// spliceReference puts ref between readme's markers.
func spliceReference(readme []byte, ref string) ([]byte, error) {
	before, rest, ok := bytes.Cut(readme, []byte(referenceBegin))
	if !ok {
		return nil, fmt.Errorf("no line %q", strings.TrimSpace(referenceBegin))
	}
	_, after, ok := bytes.Cut(rest, []byte(referenceEnd))
	if !ok {
		return nil, fmt.Errorf("no line %q after %q", strings.TrimSpace(referenceEnd), strings.TrimSpace(referenceBegin))
	}
	if bytes.Contains(after, []byte(referenceBegin)) {
		return nil, fmt.Errorf("the line %q is there twice", strings.TrimSpace(referenceBegin))
	}
	var out bytes.Buffer
	out.Write(before)
	out.WriteString(referenceBegin)
	out.WriteString(ref)
	out.WriteString(referenceEnd)
	out.Write(after)
	return out.Bytes(), nil
}
