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

// TestCalls checks that Table.Calls lists every command of the table a
// line runs, outermost first, with its depth and its wrapper's words, and
// leaves out a real program.
func TestCalls(t *testing.T) {
	tb := Table{}
	tb.Add(&Cmd{Name: "leaf", Parse: func([]string) (Action, error) { return ActionFunc(func(*State) error { return nil }), nil }})
	tb.Add(&Cmd{
		Name: "wrap",
		// wrap [-x] [!] CMD...: the wrapped command is the end of its words.
		Nested: func(args []string, inner Parser) (Action, error) {
			for len(args) > 0 && (args[0] == "-x" || args[0] == "!") {
				args = args[1:]
			}
			act, ok, err := inner(args)
			if !ok && err == nil {
				return ActionFunc(func(*State) error { return nil }), nil // a real program
			}
			return act, err
		},
	})
	tests := []struct {
		line string
		want string // each Call as DEPTH:[WRAPPER WORDS]ARGS
	}{
		{"leaf a", "0:[]leaf a"},
		{"wrap -x leaf a", "0:[]wrap -x leaf a 1:[wrap -x]leaf a"},
		{"wrap ! wrap leaf", "0:[]wrap ! wrap leaf 1:[wrap !]wrap leaf 2:[wrap]leaf"},
		{"wrap cat file", "0:[]wrap cat file"},
		{"cat file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			calls, _, _, err := tb.Calls(strings.Fields(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i, c := range calls {
				var wrapper []string
				for j := i - 1; j >= 0; j-- {
					if calls[j].Depth == c.Depth-1 {
						wrapper = c.Wrapper(calls[j])
						break
					}
				}
				got = append(got, fmt.Sprintf("%d:[%s]%s", c.Depth, strings.Join(wrapper, " "), strings.Join(c.Args, " ")))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("Calls = %q, want %q", strings.Join(got, " "), tt.want)
			}
		})
	}
}
