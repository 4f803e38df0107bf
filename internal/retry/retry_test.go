package retry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// flaky is a command that fails (status 1, "attempt N" on stdout and
// stderr) until its Nth run, and then succeeds; "flaky bug" fails with an
// error of netscript's own.
type flaky struct {
	runs  atomic.Int32
	until int32
}

func (f *flaky) cmd() *script.Cmd {
	return &script.Cmd{
		Name:  "flaky",
		Usage: script.Usage{Summary: "test command"},
		Parse: func(args []string) (script.Action, error) {
			if len(args) > 0 && args[0] == "bad" {
				return nil, script.Errorf(7, "flaky: bad argument")
			}
			bug := len(args) > 0 && args[0] == "bug"
			return script.ActionFunc(func(s *script.State) error {
				n := f.runs.Add(1)
				fmt.Fprintf(s.Stdout, "attempt %d\n", n)
				if bug {
					return errors.New("a bug")
				}
				if n < f.until {
					return s.Fail(1, "attempt %d failed", n)
				}
				return nil
			}), nil
		},
	}
}

func table(f *flaky) script.Table {
	t := script.Table{}
	t.Add(f.cmd())
	t.Add(Cmd(t))
	return t
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		line string
		code int
		msg  string
	}{
		{"", 2, "retry: no COMMAND (usage: retry [-t TIMEOUT] [!] COMMAND [ARGS...])"},
		{"!", 2, "retry: no COMMAND (usage: retry [-t TIMEOUT] [!] COMMAND [ARGS...])"},
		{"-t 1s", 2, "retry: no COMMAND (usage: retry [-t TIMEOUT] [!] COMMAND [ARGS...])"},
		{"-t", 2, "retry: option -t needs a TIMEOUT"},
		{"-t soon flaky", 2, `retry: bad TIMEOUT "soon": want a duration such as 500ms or 2s`},
		{"-t 0 flaky", 2, `retry: bad TIMEOUT "0": want more than 0 and at most 1h`},
		{"-t 61m flaky", 2, `retry: bad TIMEOUT "61m": want more than 0 and at most 1h`},
		{"-v flaky", 2, `retry: unknown option "-v" (usage: retry [-t TIMEOUT] [!] COMMAND [ARGS...])`},
		{"sleep 1", 2, `retry: "sleep" is not a netscript command: run a real program as "retry exec sleep ..."`},
		{"exec", 2, "retry: exec needs a PROGRAM (usage: retry [-t TIMEOUT] [!] COMMAND [ARGS...])"},
		{"! ! flaky", 2, `retry: "!" given twice (usage: retry [-t TIMEOUT] [!] COMMAND [ARGS...])`},
		{"flaky bad", 7, "flaky: bad argument"},
		{"retry flaky bad", 7, "flaky: bad argument"},
	}
	tb := table(&flaky{})
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := tb["retry"].Parse(strings.Fields(tt.line))
			var e *script.ExitError
			if !errors.As(err, &e) {
				t.Fatalf("retry %s: got %v, want an exit error", tt.line, err)
			}
			if e.Code != tt.code || e.Msg != tt.msg {
				t.Errorf("retry %s:\ngot  %d %q\nwant %d %q", tt.line, e.Code, e.Msg, tt.code, tt.msg)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	tests := []struct {
		line   string
		until  int32 // flaky succeeds from this run on
		stdout string
		stderr string
		code   int
		runs   int32 // 0: do not check
	}{
		{"retry flaky", 1, "attempt 1\n", "", 0, 1},
		{"retry flaky", 4, "attempt 4\n", "", 0, 4},
		{"retry -t 1.5 flaky", 3, "attempt 3\n", "", 0, 3},
		{"retry -t 50ms flaky", 1 << 30, "", "retry: gave up after", 1, 0},
		{"retry ! flaky", 1 << 30, "attempt 1\n", "attempt 1 failed\n", 0, 1},
		{"retry -t 50ms ! flaky", 1, "", "retry: gave up after", 1, 0},
		{"retry flaky bug", 1, "attempt 1\n", "", -1, 1},
		{"retry retry flaky", 3, "attempt 3\n", "", 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			f := &flaky{until: tt.until}
			tb := table(f)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			s := &script.State{Ctx: ctx, Stdout: &stdout, Stderr: &stderr}
			err := tb.Run(s, strings.Fields(tt.line))
			code := script.ExitCode(err)
			var e *script.ExitError
			if err != nil && !errors.As(err, &e) {
				code = -1
			}
			if code != tt.code {
				t.Errorf("exit %d (%v), want %d", code, err, tt.code)
			}
			if tt.runs != 0 && f.runs.Load() != tt.runs {
				t.Errorf("%d runs, want %d", f.runs.Load(), tt.runs)
			}
			n := f.runs.Load()
			wantOut := tt.stdout
			if wantOut == "" {
				wantOut = fmt.Sprintf("attempt %d\n", n) // the last attempt's
			}
			if stdout.String() != wantOut {
				t.Errorf("stdout %q, want %q", stdout.String(), wantOut)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tt.stderr)
			}
			if strings.Count(stderr.String(), "failed\n") > 1 {
				t.Errorf("stderr holds more than the last attempt's: %q", stderr.String())
			}
		})
	}
}

// TestRetryStopsAtScenarioDeadline checks that the scenario's deadline
// ends retry before its own timeout.
func TestRetryStopsAtScenarioDeadline(t *testing.T) {
	tb := table(&flaky{until: 1 << 30})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	s := &script.State{Ctx: ctx, Stdout: &stdout, Stderr: &stderr}
	err := tb.Run(s, []string{"retry", "-t", "1h", "flaky"})
	if script.ExitCode(err) != 1 || !strings.Contains(stderr.String(), "retry: the scenario's deadline passed after") {
		t.Errorf("got %v, stderr %q", err, stderr.String())
	}
}

// TestRetryStopsWhenCancelled checks that a scenario stopped by a signal
// (its context cancelled with a cause) ends retry, which says why.
func TestRetryStopsWhenCancelled(t *testing.T) {
	tb := table(&flaky{until: 1 << 30})
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(errors.New("interrupted by SIGTERM")) })
	var stdout, stderr bytes.Buffer
	s := &script.State{Ctx: ctx, Stdout: &stdout, Stderr: &stderr}
	err := tb.Run(s, []string{"retry", "-t", "1h", "flaky"})
	if script.ExitCode(err) != 1 || !strings.Contains(stderr.String(), "retry: stopped after ") ||
		!strings.Contains(stderr.String(), ": interrupted by SIGTERM\n") {
		t.Errorf("got %v, stderr %q", err, stderr.String())
	}
}

// TestParseNeverPanics feeds retry every sequence of up to three awkward
// words.
func TestParseNeverPanics(t *testing.T) {
	words := []string{"", "-", "-t", "!", "retry", "flaky", "bad", "1s", "-t=1"}
	realtool.ParseEverySequence(t, table(&flaky{})["retry"], nil, words, 4)
}

// TestRetryExec retries a real program, run in the command's namespace:
// it fails (status 3) until a file exists, and makes the file.
func TestRetryExec(t *testing.T) {
	realtool.RequireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	tb := table(&flaky{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dir := t.TempDir()
	tests := []struct {
		line, stdout, stderr string
		code                 int
	}{
		{"retry exec sh -c test_-e_f_||_{_touch_f;_echo_no;_exit_3;_};_echo_yes", "yes\n", "", 0},
		{"retry -t 30ms exec sh -c echo_out;_echo_err_>&2;_exit_4", "out\n", "err\nretry: gave up after", 4},
		{"retry ! exec false", "", "", 0},
		{"retry -t 30ms exec no-such-program-netscript", "", "exec of \"no-such-program-netscript\" failed: No such file or directory", 1},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		s := &script.State{Ctx: ctx, World: w, NS: w.Root(), Dir: dir, Stdout: &stdout, Stderr: &stderr}
		args := strings.Fields(tt.line)
		for i := range args {
			args[i] = strings.ReplaceAll(args[i], "_", " ")
		}
		err := tb.Run(s, args)
		if code := script.ExitCode(err); code != tt.code || stdout.String() != tt.stdout || !strings.HasPrefix(stderr.String(), tt.stderr) {
			t.Errorf("%s: exit %d (%v), stdout %q, stderr %q", tt.line, code, err, stdout.String(), stderr.String())
		}
	}
}

// TestNestingIsBounded checks that retry inside retry parses up to
// script.MaxNesting deep, and that deeper lines, even two million deep,
// get an error naming retry instead of exhausting the stack.
func TestNestingIsBounded(t *testing.T) {
	tests := []struct {
		depth int
		err   bool
	}{
		{1, false},
		{script.MaxNesting, false},
		{script.MaxNesting + 1, true},
		{2_000_000, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.depth), func(t *testing.T) {
			f := &flaky{until: 1}
			tb := table(f)
			argv := make([]string, 0, 2*tt.depth+1)
			for i := 0; i < tt.depth; i++ {
				argv = append(argv, "retry")
				if i%2 == 1 {
					argv = append(argv, "-t", "1s") // options between levels
				}
			}
			argv = append(argv, "flaky")
			act, ok, err := tb.Parse(argv)
			if !ok {
				t.Fatal("retry is not in the table")
			}
			if tt.err {
				want := "retry: more than 64 commands that run another command (retry, ip netns exec) nested on one line"
				if err == nil || err.Error() != want {
					t.Fatalf("Parse: %v, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var out bytes.Buffer
			s := &script.State{Ctx: context.Background(), Stdout: &out, Stderr: &out}
			if err := act.Run(s); err != nil || out.String() != "attempt 1\n" || f.runs.Load() != 1 {
				t.Fatalf("running %d nested retry: %v, output %q after %d runs", tt.depth, err, out.String(), f.runs.Load())
			}
		})
	}
}

// TestEffects checks that retry forwards the effects of the command it
// retries, so that check and graph see through it, and none for "retry !",
// which waits for the command to fail, or for "retry exec".
func TestEffects(t *testing.T) {
	tb := script.Table{}
	made := script.Effect{Op: script.OpNetnsAdd, Namespace: "ns0"}
	tb.Add(&script.Cmd{Name: "make", Parse: func([]string) (script.Action, error) {
		return script.WithEffects(script.ActionFunc(func(*script.State) error { return nil }), made), nil
	}})
	tb.Add(Cmd(tb))
	tests := []struct {
		line string
		want int // how many effects
	}{
		{"retry make", 1},
		{"retry -t 1s retry make", 1},
		{"retry ! make", 0},
		{"retry retry ! make", 0},
		{"retry exec true", 0},
	}
	for _, tt := range tests {
		act, _, err := tb.Parse(strings.Fields(tt.line))
		if err != nil {
			t.Fatalf("%s: %v", tt.line, err)
		}
		got := script.Effects(act)
		if len(got) != tt.want || (len(got) == 1 && got[0].Namespace != made.Namespace) {
			t.Errorf("%s: effects %+v, want %d of %+v", tt.line, got, tt.want, made)
		}
	}
}
