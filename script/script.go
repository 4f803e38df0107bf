// Package script defines what a scenario command is: an entry of the command
// table with its usage text and a parser that turns arguments into an action,
// the state an action runs with, and the conditions a scenario can test.
//
// The split between parsing and running follows cmd/go's script engine: the
// same table serves the runner, help, lint and docs. Parse never touches the
// network, so a scenario can be checked without privileges.
//
// It is netscript's extension API: a repository of your own adds commands
// and conditions to its scenarios with
//
//	runner.Run(t, "scenarios", runner.WithCmd(myCmd), runner.WithCondition(myCond))
//
// (see the example). An action reaches the scenario's namespaces through
// its State: s.NS.Do(fn) runs fn on a thread inside the namespace the
// command runs in, s.NS.Name names it ("" for the scenario's own).
//
// A parsed command is a value to inspect, not only to run: an action that
// changes the network reports its Effects (namespaces, links and their
// moves, addresses, routes), read by its parser from the arguments, and a
// command that runs another forwards the effects of what it runs. The
// runner runs the action; "netscript check" and "netscript graph" apply
// the effects of the same parse to a model of the network.
package script

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/netscript/netscript/internal/world"
)

// Usage documents a command, in the style of cmd/go's script.CmdUsage.
type Usage struct {
	Summary string   // one line, like the Name section of a man page, without the name
	Args    string   // synopsis of the arguments
	Detail  []string // paragraphs, like the Description section of a man page
}

// Action is a parsed command, ready to run. An action that changes the
// scenario's network tells how by implementing Effector, so that
// "netscript check" and "netscript graph" read what the runner runs.
type Action interface {
	Run(s *State) error
}

// ActionFunc adapts a function to an Action without effects.
type ActionFunc func(s *State) error

// Run calls f(s).
func (f ActionFunc) Run(s *State) error { return f(s) }

// Cmd is one entry of the command table.
type Cmd struct {
	Name  string
	Usage Usage
	// Parse checks args (the words after the command name) and returns the
	// action they ask for. Errors are *ExitError values whose Msg is what the
	// real tool prints for the same mistake.
	Parse func(args []string) (Action, error)
	// Background is set for a command that runs a real program and starts
	// it in the background itself when its arguments end in "&": a wrapper
	// such as "ip netns exec NS" then passes the "&" on to it.
	Background bool
	// Checks marks a command that checks the previous command's output, as
	// testscript's cmp does: it prints nothing of its own and leaves stdout
	// and stderr as they were, for the next check.
	Checks bool
	// Nested, set for a command that runs another command of the table
	// (retry, ip netns exec), parses args as Parse does, with inner to
	// parse the command it runs. Table.Parse calls it in place of Parse,
	// with an inner that counts how deep such commands nest, and refuses
	// more than MaxNesting of them on one line.
	Nested func(args []string, inner Parser) (Action, error)
}

// Parser parses a command line of the table, as Table.Parse does.
type Parser func(args []string) (act Action, ok bool, err error)

// ErrNotBackground is what a nested parser returns for a command of the
// table, one that does not run a real program (Cmd.Background), asked to
// run in the background with a trailing "&".
var ErrNotBackground = errors.New("only real programs run in the background")

// MaxNesting is how many commands that run another command (retry, ip
// netns exec) may nest on one line. Scenarios need two or three; the limit
// keeps "retry retry retry ..." a million times from exhausting the stack.
const MaxNesting = 64

// NestingError is the error for a line where command, which runs another
// command, is nested more than MaxNesting deep.
func NestingError(command string) error {
	return fmt.Errorf("%s: more than %d commands that run another command (retry, ip netns exec) nested on one line",
		command, MaxNesting)
}

// Table is the command table: every command a scenario can use beyond
// testscript's own, by name.
type Table map[string]*Cmd

// Add puts cmd into the table; a second command of the same name is a bug.
func (t Table) Add(cmd *Cmd) {
	if _, dup := t[cmd.Name]; dup {
		panic("script: command " + cmd.Name + " defined twice")
	}
	t[cmd.Name] = cmd
}

// Names returns the command names in order.
func (t Table) Names() []string {
	names := make([]string, 0, len(t))
	for name := range t {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Parse finds the command named by args[0] and parses the rest.
// It reports ok=false when the table has no such command.
func (t Table) Parse(args []string) (act Action, ok bool, err error) {
	return t.parse(args, 0)
}

// parse parses args, run by depth commands of the line around them.
func (t Table) parse(args []string, depth int) (Action, bool, error) {
	if len(args) == 0 {
		return nil, false, nil
	}
	cmd, ok := t[args[0]]
	if !ok {
		return nil, false, nil
	}
	var act Action
	var err error
	if cmd.Nested == nil {
		act, err = cmd.Parse(args[1:])
	} else {
		act, err = cmd.Nested(args[1:], func(inner []string) (Action, bool, error) {
			if depth+1 > MaxNesting {
				return nil, true, NestingError(args[0])
			}
			if n := len(inner); n > 1 && inner[n-1] == "&" {
				c, ok := t[inner[0]]
				switch {
				case !ok:
					return nil, false, nil // a real program: the wrapper starts it
				case !c.Background:
					return nil, true, ErrNotBackground
				}
			}
			return t.parse(inner, depth+1)
		})
	}
	var e *ExitError
	if errors.As(err, &e) && e.Unimplemented {
		argv := slices.Clone(args)
		return fallback(argv, e), true, &Fallback{Tool: args[0], Argv: argv, Reason: e.Msg}
	}
	return act, true, err
}

// Fallback is the error Table.Parse returns, with an action, for a form
// the command does not implement (see Unimplemented): the action runs the
// real tool of the same name, with the same arguments, inside the
// scenario's sandbox, when it is installed and the run allows it. It is
// not a failure: a wrapper that parses a command ("ip netns exec", "retry")
// returns it along with its own action, Table.Run runs the action, and
// "netscript check" lists it as a note.
type Fallback struct {
	Tool   string   // the real tool that runs: argv[0]
	Argv   []string // the command line it runs
	Reason string   // netscript's message: "ip rule: not implemented by netscript"
}

func (f *Fallback) Error() string {
	return fmt.Sprintf("%s: the real %s runs instead", f.Reason, f.Tool)
}

// AsFallback reports whether err is a *Fallback, and returns it.
func AsFallback(err error) (*Fallback, bool) {
	var f *Fallback
	ok := errors.As(err, &f)
	return f, ok
}

// fallback is the action that runs the real tool for argv, a form its
// command does not implement.
func fallback(argv []string, e *ExitError) Action {
	return ActionFunc(func(s *State) error {
		tool := argv[0]
		if s.NoFallback || s.Real == nil {
			return s.Fail(e.Code, "%s", e.Msg)
		}
		if _, err := LookPath(tool, s.Env); err != nil {
			return s.Fail(e.Code, "%s, and no %s binary is installed", e.Msg, tool)
		}
		s.Logf("(real %s)", tool)
		return s.Real(s, argv)
	})
}

// LookPath finds a real program as the scenario would: in the PATH of env
// when it sets one, else in netscript's own.
func LookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return exec.LookPath(name)
	}
	for i := len(env) - 1; i >= 0; i-- {
		if p, ok := strings.CutPrefix(env[i], "PATH="); ok {
			for _, dir := range filepath.SplitList(p) {
				if dir == "" {
					dir = "."
				}
				if found, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
					return found, nil
				}
			}
			return "", exec.ErrNotFound
		}
	}
	return exec.LookPath(name)
}

// Run parses and runs args in s. A parse error's message is written to
// s.Stderr (or s.Stdout, for a usage text the tool prints there), as the
// real tool would print it.
func (t Table) Run(s *State, args []string) error {
	act, ok, err := t.Parse(args)
	if !ok {
		return fmt.Errorf("unknown command %q", args[0])
	}
	if _, ok := AsFallback(err); ok {
		return act.Run(s)
	}
	if err != nil {
		var e *ExitError
		if errors.As(err, &e) && e.Msg != "" {
			w := s.Stderr
			if e.Stdout {
				w = s.Stdout
			}
			fmt.Fprintln(w, e.Msg)
		}
		return err
	}
	return act.Run(s)
}

// State is what an action runs with.
type State struct {
	Ctx   context.Context // the scenario's deadline
	World *world.World
	NS    *world.NS // the namespace the command runs in
	Dir   string    // working directory for programs
	Env   []string  // environment for programs
	// Stdin is the input a preceding "stdin FILE" left for this command:
	// the standard input of the real program it runs ("" for none).
	Stdin string

	Stdout io.Writer
	Stderr io.Writer

	// Background hands a real program started in the background (a line
	// ending in "&") to the scenario, whose "wait" and "kill" then treat it
	// as testscript's own "exec PROGRAM &". It is nil where no scenario
	// runs the line: the program then runs with its output discarded until
	// its namespace closes.
	Background func(Job) error

	// Scenario is the running scenario, for commands that check outputs;
	// nil outside a scenario (help, lint, the differential tests).
	Scenario Scenario

	// Real runs argv, a real program, in s.NS under the scenario's job
	// control (the runner sets jobs.Run); nil where real programs cannot run.
	Real func(s *State, argv []string) error
	// NoFallback forbids running the real tool for a form netscript does
	// not implement (see Fallback).
	NoFallback bool
	// Log, when set, writes a line to the scenario's log (shown by -v).
	Log func(format string, args ...any)
}

// Cond is a scenario condition beyond testscript's own, in the style of
// cmd/go's script.Cond: [NAME], or [NAME:ARG] when it takes an argument,
// and [!NAME] for its negation.
type Cond struct {
	Name    string
	Summary string // one line, for help
	// Param marks a condition written [NAME:ARG].
	Param bool
	// Eval reports whether the condition holds; arg is what follows
	// "NAME:" ("" without Param). An error fails the scenario.
	Eval func(arg string) (bool, error)
}

// Job is a real program a command started in the background.
type Job struct {
	Name string          // the NAME of a trailing "&NAME&"; "" for "&"
	Cmd  *exec.Cmd       // the running program; its Stdout and Stderr are *strings.Builder
	Done <-chan struct{} // closed once the program is reaped and Cmd.ProcessState set
}

// Scenario is what a checking command (Cmd.Checks) reaches of the running
// scenario, as testscript's cmp does.
type Scenario interface {
	// Output returns what the previous command printed on "stdout" or
	// "stderr".
	Output(name string) string
	// ReadFile reads a file of the scenario's work directory (a file of the
	// archive, or one a command wrote), relative to the current directory.
	ReadFile(name string) (string, error)
	// Logf writes to the scenario's log, as a failed cmp writes its diff.
	Logf(format string, args ...any)
	// UpdateGolden records content as the new text of the archive file
	// name when the run rewrites golden files (-update) and the check is
	// not negated; it reports whether it did, as cmp then passes.
	UpdateGolden(name, content string) bool
}

// Logf writes a line to the scenario's log, if it has one.
func (s *State) Logf(format string, args ...any) {
	if s.Log != nil {
		s.Log(format, args...)
	}
}

// In returns a copy of s that runs in ns.
func (s *State) In(ns *world.NS) *State {
	c := *s
	c.NS = ns
	return &c
}

// ExitError is a command's failure: its exit status and, in Msg, the message
// the real tool prints (already written to stderr when the action ran).
type ExitError struct {
	Code int
	Msg  string
	// Stdout is set for a parse error whose message the tool prints on
	// standard output (a usage text), not standard error.
	Stdout bool
	// Unimplemented marks a parse error for a form the real tool accepts
	// but netscript does not implement: Table.Parse turns it into a
	// Fallback.
	Unimplemented bool
}

// Unimplemented returns the parse error of a form netscript does not
// implement, with message "... not implemented by netscript" and status
// code for when the real tool cannot run instead (see Fallback).
func Unimplemented(code int, format string, args ...any) error {
	return &ExitError{Code: code, Msg: fmt.Sprintf(format, args...), Unimplemented: true}
}

func (e *ExitError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return fmt.Sprintf("%s (exit status %d)", strings.TrimRight(e.Msg, "\n"), e.Code)
}

// Errorf returns an *ExitError with the formatted message, for Parse.
func Errorf(code int, format string, args ...any) error {
	return &ExitError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Fail writes the formatted message and a newline to s.Stderr, as the real
// tool does, and returns the matching *ExitError.
func (s *State) Fail(code int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(s.Stderr, msg)
	return &ExitError{Code: code, Msg: msg}
}

// ExitCode returns the exit status err stands for: 0 for nil, the code of an
// *ExitError, and 1 for any other error.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return 1
}

// Strerror returns the C library's text for errno, as the real tools print
// it: Go's text with its first letter in upper case ("File exists").
func Strerror(errno syscall.Errno) string { return Capitalize(errno.Error()) }

// ErrorText is Strerror for the errno inside err, as a failed system call
// returns it; another error gives its own text.
func ErrorText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) && errno.Error() != "" {
		return Strerror(errno)
	}
	return err.Error()
}

// Capitalize returns s with its first letter in upper case, as the C
// library's error texts begin.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
