package getopt

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

var spec = &Spec{
	Prog:  "tool",
	Short: "A:ep::n",
	Long: []Long{
		{Name: "inet", Val: 1}, {Name: "inet6", Val: 1}, {Name: "ip", Val: 1},
		{Name: "verbose", Val: 'v'}, {Name: "version", Val: 'V'},
		{Name: "protocol", HasArg: RequiredArgument, Val: 'A'},
		{Name: "load", HasArg: OptionalArgument, Val: 'p'},
		{Name: "numeric", Val: 'n'},
	},
}

// show renders options compactly: c, c=arg, long#index, or ?(message).
func show(opts []Opt) string {
	var parts []string
	for _, o := range opts {
		s := fmt.Sprintf("%c", rune(o.C))
		if o.C < ' ' {
			s = fmt.Sprintf("%d", o.C)
		}
		if o.Index >= 0 {
			s += fmt.Sprintf("#%d", o.Index)
		}
		if o.HasArg {
			s += "=" + o.Arg
		}
		if o.Err != "" {
			s += "(" + o.Err + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestParse(t *testing.T) {
	tests := []parseCase{
		{"-n", "n", nil},
		{"-ne x -e", "n e e", []string{"x"}},
		{"a -A inet b", "A=inet", []string{"a", "b"}},
		{"-Ainet", "A=inet", nil},
		{"-nAinet", "n A=inet", nil},
		{"-A", "?(tool: option requires an argument -- 'A')", nil},
		{"-x -n", "?(tool: invalid option -- 'x') n", nil},
		{"-:", "?(tool: invalid option -- ':')", nil},
		{"-p file", "p", []string{"file"}},
		{"-pfile", "p=file", nil},
		{"- x", "", []string{"-", "x"}},
		{"-n -- -e --inet", "n", []string{"-e", "--inet"}},
		{"--inet", "1#0", nil},
		{"--in", "1#0", nil}, // inet and inet6 mean the same: not ambiguous
		{"--i", "1#0", nil},  // inet, inet6, ip: same again, the first wins
		{"--inet6", "1#1", nil},
		{"--ver", "?(tool: option '--ver' is ambiguous; possibilities: '--verbose' '--version')", nil},
		{"--verb", "v#3", nil},
		{"--protocol inet", "A#5=inet", nil},
		{"--prot=inet", "A#5=inet", nil},
		{"--protocol", "?(tool: option '--protocol' requires an argument)", nil},
		{"--numeric=1", "?(tool: option '--numeric' doesn't allow an argument)", nil},
		{"--num=1", "?(tool: option '--numeric' doesn't allow an argument)", nil},
		{"--load x", "p#6", []string{"x"}},
		{"--load=x", "p#6=x", nil},
		{"--foo=1", "?(tool: unrecognized option '--foo=1')", nil},
		{"--", "", nil},
	}
	runParse(t, spec, tests)
}

// TestParseShortOnly reads as getopt(3), which ping uses: with no long
// options, "--x" is short options, the first an invalid '-'.
func TestParseShortOnly(t *testing.T) {
	short := &Spec{Prog: "ping", Short: "h?c:q"}
	tests := []parseCase{
		{"-qc3 host", "q c=3", []string{"host"}},
		{"host -c 3", "c=3", []string{"host"}},
		{"-?", "?", nil},
		{"--count=3", "?(ping: invalid option -- '-') c=ount=3", nil},
		{"--qq", "?(ping: invalid option -- '-') q q", nil},
		{"-- -q", "", []string{"-q"}},
	}
	runParse(t, short, tests)
}

// parseCase is a command line (split at spaces), the options Parse should
// return (as show renders them) and the operands.
type parseCase struct {
	args     string
	opts     string
	operands []string
}

func runParse(t *testing.T, sp *Spec, tests []parseCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			opts, operands := sp.Parse(strings.Fields(tt.args))
			if got := show(opts); got != tt.opts {
				t.Errorf("options: got %q, want %q", got, tt.opts)
			}
			if !reflect.DeepEqual(operands, tt.operands) {
				t.Errorf("operands: got %q, want %q", operands, tt.operands)
			}
		})
	}
}
