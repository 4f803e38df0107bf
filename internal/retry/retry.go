// Package retry implements the scenario command "retry": run a command of
// the table again and again until it succeeds (or, with "!", fails) or a
// deadline passes. It is how a scenario waits for a network to converge,
// in place of a sleep: cmd/go's and cilium's script engines have the same
// prefix, the kernel selftests a busywait.
package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netscript/netscript/internal/jobs"
	"github.com/netscript/netscript/script"
)

// Exit status of retry's own errors.
const exitUsage = 2

// DefaultTimeout is how long retry tries when -t is not given.
const DefaultTimeout = 5 * time.Second

// Intervals between attempts: the first one after firstWait, each wait half
// as long again as the last, up to maxWait.
const (
	firstWait = 10 * time.Millisecond
	maxWait   = 200 * time.Millisecond
)

// Usage documents retry in the command table.
var Usage = script.Usage{
	Summary: "run a command until it succeeds, or a deadline passes, to wait for convergence",
	Args:    "[-t TIMEOUT] [!] COMMAND [ARGS...]",
	Detail: []string{
		"retry runs COMMAND, a netscript command (ip, ping, reach, connect, ...), or with " +
			"\"exec PROGRAM ARGS...\" a real program (in the namespace the command runs in, as " +
			"testscript's exec), until it exits 0 or TIMEOUT passes (default " +
			"5s; a Go duration such as 500ms or a number of seconds). It waits 10 ms after the " +
			"first attempt, then half as long again after each, up to 200 ms, so a condition " +
			"that holds soon is seen soon. No scenario needs a sleep.",
		"Only the last attempt's output is printed, and retry exits with its status: the output " +
			"and status of the first success, or of the last attempt, made when TIMEOUT ran out; " +
			"then retry also prints \"retry: gave up after N attempts in TIMEOUT\" on stderr. " +
			"TIMEOUT decides whether to start another attempt, it does not cut one short: bound a " +
			"slow command with its own flags (ping -W, connect -t).",
		"With \"!\" before COMMAND, retry waits for COMMAND to fail instead (with an exit status " +
			"of its own, not a netscript error): \"retry ! ping -c 1 -W 1 10.0.0.2\" waits until " +
			"the address stops answering. retry then exits 0 once COMMAND failed, and 1 if it " +
			"still succeeded when the time ran out.",
		"The scenario's deadline ends retry too. Errors that are netscript's own (not the " +
			"command's exit status) end it at once: they do not go away by waiting.",
	},
}

// Cmd returns the "retry" entry of t, which must hold the commands retry runs.
func Cmd(t script.Table) *script.Cmd {
	return &script.Cmd{
		Name:   "retry",
		Usage:  Usage,
		Parse:  func(args []string) (script.Action, error) { return parse(args, t.Parse) },
		Nested: parse,
	}
}

// parse parses retry's arguments; inner parses the command retry runs.
func parse(args []string, inner script.Parser) (script.Action, error) {
	timeout := DefaultTimeout
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-t":
			if len(args) < 2 {
				return nil, script.Errorf(exitUsage, "retry: option -t needs a TIMEOUT")
			}
			d, err := script.ParseTimeout("retry", args[1], exitUsage)
			if err != nil {
				return nil, err
			}
			timeout = d
			args = args[2:]
		default:
			return nil, script.Errorf(exitUsage, "retry: unknown option %q (usage: retry %s)", args[0], Usage.Args)
		}
	}
	untilFail := false
	if len(args) > 0 && args[0] == "!" {
		untilFail = true
		args = args[1:]
	}
	if len(args) == 0 {
		return nil, script.Errorf(exitUsage, "retry: no COMMAND (usage: retry %s)", Usage.Args)
	}
	if args[0] == "!" {
		return nil, script.Errorf(exitUsage, "retry: \"!\" given twice (usage: retry %s)", Usage.Args)
	}
	if args[0] == "exec" {
		if len(args) < 2 {
			return nil, script.Errorf(exitUsage, "retry: exec needs a PROGRAM (usage: retry %s)", Usage.Args)
		}
		argv := args[1:]
		r := &retrier{inner: script.ActionFunc(func(s *script.State) error { return jobs.Run(s, argv) }), timeout: timeout, untilFail: untilFail}
		return r, nil
	}
	act, ok, err := inner(args)
	_, fellBack := script.AsFallback(err)
	switch {
	case !ok:
		return nil, script.Errorf(exitUsage, "retry: %q is not a netscript command: run a real program as \"retry exec %s ...\"",
			args[0], args[0])
	case err != nil && !fellBack:
		return nil, err
	}
	r := &retrier{inner: act, timeout: timeout, untilFail: untilFail}
	return r, err // err: nil, or the Fallback of the real tool retried
}

// retrier is a parsed retry: the action it runs again and again.
type retrier struct {
	inner     script.Action
	timeout   time.Duration
	untilFail bool
}

// Effects are those of the command retried, for "netscript check" and
// "netscript graph" to see through retry; none with "!", which waits for
// the command to fail.
func (r *retrier) Effects() []script.Effect {
	if r.untilFail {
		return nil
	}
	return script.Effects(r.inner)
}

// Run makes attempts until one gives the wanted outcome or time runs out,
// and passes on the last attempt's output and status.
func (r *retrier) Run(s *script.State) error {
	ctx := s.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	// The timeout decides whether to make another attempt; it does not cut
	// one short, so the last attempt's status is the command's own. Only
	// the scenario's deadline (ctx) stops an attempt under way.
	deadline := time.Now().Add(r.timeout)
	wait := firstWait
	for attempt := 1; ; attempt++ {
		var stdout, stderr bytes.Buffer
		try := *s
		try.Ctx, try.Stdout, try.Stderr = ctx, &stdout, &stderr
		err := r.inner.Run(&try)
		var exit *script.ExitError
		if err != nil && !errors.As(err, &exit) {
			return errors.Join(flush(s, &stdout, &stderr), err) // netscript's own error
		}
		done := (err == nil) != r.untilFail
		timedOut := false
		if !done {
			if left := time.Until(deadline); left <= 0 {
				timedOut = true
			} else {
				select {
				case <-ctx.Done():
					timedOut = true
				case <-time.After(min(wait, left)):
					wait = min(wait*3/2, maxWait)
				}
			}
		}
		if !done && !timedOut {
			continue
		}
		if ferr := flush(s, &stdout, &stderr); ferr != nil {
			return ferr
		}
		switch {
		case done && r.untilFail:
			return nil
		case done:
			return err
		}
		plural := "s"
		if attempt == 1 {
			plural = ""
		}
		msg := fmt.Sprintf("retry: gave up after %d attempt%s in %v", attempt, plural, r.timeout)
		if s.Ctx != nil && s.Ctx.Err() != nil {
			msg = fmt.Sprintf("retry: the scenario's deadline passed after %d attempt%s", attempt, plural)
			if cause := context.Cause(s.Ctx); !errors.Is(cause, context.DeadlineExceeded) {
				msg = fmt.Sprintf("retry: stopped after %d attempt%s: %v", attempt, plural, cause)
			}
		}
		fmt.Fprintln(s.Stderr, msg)
		if r.untilFail {
			return &script.ExitError{Code: 1, Msg: msg}
		}
		return err
	}
}

// flush writes one attempt's output to the command's own streams.
func flush(s *script.State, stdout, stderr *bytes.Buffer) error {
	if _, err := s.Stdout.Write(stdout.Bytes()); err != nil {
		return err
	}
	_, err := s.Stderr.Write(stderr.Bytes())
	return err
}
