package script

import (
	"fmt"
	"strings"
	"testing"
)

// TestParseBoundsNesting checks Table.Parse with a command that runs
// another ("wrap CMD...") and one that does not ("leaf"): up to MaxNesting
// wrappers parse, one more is refused naming the wrapper, and so are two
// million, without exhausting the stack.
func TestParseBoundsNesting(t *testing.T) {
	tb := Table{}
	tb.Add(&Cmd{Name: "leaf", Parse: func([]string) (Action, error) { return ActionFunc(func(*State) error { return nil }), nil }})
	tb.Add(&Cmd{
		Name:  "wrap",
		Parse: func([]string) (Action, error) { return nil, fmt.Errorf("Parse called in place of Nested") },
		Nested: func(args []string, inner Parser) (Action, error) {
			act, ok, err := inner(args)
			if !ok && err == nil {
				return nil, fmt.Errorf("wrap: %q is not a command", args[0])
			}
			return act, err
		},
	})
	tests := []struct {
		wrappers int
		err      string
	}{
		{0, ""},
		{1, ""},
		{MaxNesting, ""},
		{MaxNesting + 1, "wrap: more than 64 commands that run another command (retry, ip netns exec) nested on one line"},
		{2_000_000, "wrap: more than 64 commands that run another command (retry, ip netns exec) nested on one line"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.wrappers), func(t *testing.T) {
			argv := strings.Fields(strings.Repeat("wrap ", tt.wrappers) + "leaf")
			act, ok, err := tb.Parse(argv)
			switch {
			case !ok:
				t.Fatal("not found")
			case tt.err == "" && (err != nil || act == nil):
				t.Fatalf("Parse: %v", err)
			case tt.err != "" && (err == nil || err.Error() != tt.err):
				t.Fatalf("Parse: %v, want %q", err, tt.err)
			}
		})
	}
}
