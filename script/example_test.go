package script_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/netscript/netscript/script"
)

// sum is a complete command of one's own: "sum N..." prints the sum of its
// arguments. Parse checks the arguments without side effects (so that
// "netscript check" can report a bad number at its line) and returns the
// action the runner runs; errors carry an exit status, as a real tool's do.
var sum = &script.Cmd{
	Name: "sum",
	Usage: script.Usage{
		Summary: "print the sum of integers",
		Args:    "N...",
		Detail:  []string{"sum adds its arguments, decimal integers, and prints the result on stdout."},
	},
	Parse: func(args []string) (script.Action, error) {
		if len(args) == 0 {
			return nil, script.Errorf(2, "usage: sum N...")
		}
		total := 0
		for _, a := range args {
			n, err := strconv.Atoi(a)
			if err != nil {
				return nil, script.Errorf(1, "sum: %q is not an integer", a)
			}
			total += n
		}
		return script.ActionFunc(func(s *script.State) error {
			_, err := fmt.Fprintln(s.Stdout, total)
			return err
		}), nil
	},
}

// even is a condition of one's own, [even:N].
var even = &script.Cond{
	Name:    "even",
	Summary: "N is even",
	Param:   true,
	Eval: func(arg string) (bool, error) {
		n, err := strconv.Atoi(arg)
		return n%2 == 0, err
	},
}

// A repository of one's own gives its scenarios the command "sum" and the
// condition [even:N] with
//
//	func TestScenarios(t *testing.T) {
//		runner.Run(t, "scenarios", runner.WithCmd(sum), runner.WithCondition(even))
//	}
//
// and a scenario then says
//
//	[even:4] sum 1 2 3
//	stdout '^6$'
//	! sum 1 x
//	stderr 'not an integer'
//
// Here the command runs as the runner runs it, through a command table,
// with a State whose output is the example's.
func Example() {
	table := script.Table{}
	table.Add(sum)
	state := &script.State{Stdout: os.Stdout, Stderr: os.Stdout}
	for _, line := range []string{"sum 1 2 3", "sum 1 x", "sum"} {
		err := table.Run(state, strings.Fields(line))
		fmt.Printf("%s: exit status %d\n", line, script.ExitCode(err))
	}
	ok, _ := even.Eval("4")
	fmt.Println("[even:4]", ok)
	// Output:
	// 6
	// sum 1 2 3: exit status 0
	// sum: "x" is not an integer
	// sum 1 x: exit status 1
	// usage: sum N...
	// sum: exit status 2
	// [even:4] true
}

// A command that changes the network tells what it does, so that
// "netscript check" and "netscript graph" follow it as they follow ip: here
// "bridge-of NAME" would create a bridge called NAME. The effects come from
// the arguments its parser read, with the action the runner runs.
func Example_effects() {
	bridgeOf := &script.Cmd{
		Name:  "bridge-of",
		Usage: script.Usage{Summary: "create a bridge", Args: "NAME"},
		Parse: func(args []string) (script.Action, error) {
			if len(args) != 1 {
				return nil, script.Errorf(2, "usage: bridge-of NAME")
			}
			run := script.ActionFunc(func(s *script.State) error {
				return s.Fail(1, "bridge-of: only an example") // a real one would create it with netlink in s.NS
			})
			return script.WithEffects(run, script.Effect{Op: script.OpLinkAdd, Dev: args[0], Kind: "bridge"}), nil
		},
	}
	table := script.Table{}
	table.Add(bridgeOf)
	act, _, err := table.Parse([]string{"bridge-of", "br0"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range script.Effects(act) {
		fmt.Printf("%v %s (%s)\n", e.Op, e.Dev, e.Kind)
	}
	// Output:
	// link add br0 (bridge)
}
