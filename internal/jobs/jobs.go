// Package jobs is the job control of every real program a scenario runs:
// a program given to "ip netns exec", a builtin form netscript does not
// implement run by the real tool, a background job. Run and Start are the
// API: they run argv, a real program, in s.NS of s.World, inside the World's
// sandbox (see world.World.Sandbox): a /run/netns that names exactly the
// scenario's namespaces, the namespace's /sys, and the scenario's PID
// namespace.
//
// Every program gets a process group of its own, so that signals reach
// what it started too. Nothing it starts outlives the scenario: the
// scenario's deadline ends a foreground program, a background one ends
// with its namespace, and when the World closes, or netscript dies even by
// SIGKILL, the kernel ends every process of the scenario's PID namespace,
// however it daemonized. (A parent-death signal cannot be asked for across
// PID namespaces: Go's child would find getppid() == 0 and kill itself at
// once. The PID namespace's init dies with netscript instead, and takes
// every process of the namespace with it.)
package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/netscript/netscript/script"
)

// Grace is how long a background program has to exit after SIGTERM before
// it gets SIGKILL.
const Grace = time.Second

// grace is Grace, shortened by tests.
var grace = Grace

// OutputDelay is how long a foreground program's output is still read
// after it exits: a daemon it left behind may hold its output open.
const OutputDelay = 200 * time.Millisecond

// exitErr is the status of a program that could not be started, as for
// "ip netns exec".
const exitErr = 1

// Start starts argv, a real program, in the background in s.NS with the
// scenario's working directory and environment, and returns once it runs.
// Its standard input is s.Stdin (what a preceding "stdin FILE" gave), as
// testscript gives it to "exec PROGRAM &", or /dev/null when that is empty;
// its output and error are /dev/null: a program whose output matters is
// started with StartOutput.
//
// The program is stopped when its namespace closes, at the end of the
// scenario or by "ip netns del": SIGTERM to its process group, SIGKILL
// after Grace, and it is reaped before the namespace is released.
func Start(s *script.State, argv []string) error {
	_, _, err := StartOutput(s, argv, nil, nil)
	return err
}

// StartOutput is Start with the program's standard output and error
// written to stdout and stderr (nil: /dev/null). It returns the running
// program and a channel closed once the program has been reaped, when
// cmd.ProcessState is set; the writers are not written after that.
func StartOutput(s *script.State, argv []string, stdout, stderr io.Writer) (*exec.Cmd, <-chan struct{}, error) {
	cmd, err := command(context.Background(), s, argv)
	if err != nil {
		return nil, nil, err
	}
	cmd.SysProcAttr.Setpgid = true // stop signals go to its whole group
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if s.Stdin != "" {
		cmd.Stdin = strings.NewReader(s.Stdin)
	}
	// A child that inherited the output, once the program has exited,
	// holds up its reaping for Grace at most.
	cmd.WaitDelay = grace

	started := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		running := false
		err := s.World.Sandbox(s.NS, func() error {
			if err := cmd.Start(); err != nil {
				return err
			}
			running = true
			started <- nil
			cmd.Wait() // the status of a stopped program is not news
			return nil
		})
		if !running {
			started <- err
		}
	}()
	if err := <-started; err != nil {
		return nil, nil, s.Fail(exitErr, "exec of %q failed: %v", argv[0], err)
	}
	stop := func() error { return stop(cmd, done) }
	if err := s.NS.OnClose(stop); err != nil {
		return nil, nil, fmt.Errorf("background %s: %w", argv[0], err)
	}
	return cmd, done, nil
}

// stop ends the program's process group and waits until it is reaped.
func stop(cmd *exec.Cmd, done <-chan struct{}) error {
	pgid := cmd.Process.Pid
	select {
	case <-done: // it ended on its own
	default:
		if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("stop background %s: %w", cmd.Args[0], err)
		}
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
	}
	// What the group still holds (a child the program left behind) gets
	// SIGKILL. While a process of the group lives, the kernel keeps its
	// number from being reused; with none left, the call finds no one
	// (a stranger could only be hit if the pid counter wrapped around in
	// the microseconds since the reaping).
	syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// Run runs argv, a real program, in the foreground in s.NS with the
// scenario's working directory, environment and standard input, and its
// output going to s.Stdout and s.Stderr. The scenario's deadline ends it:
// SIGKILL to its process group. A status it exits with is returned as an
// *script.ExitError, 128+N when signal N ended it, as a shell reports it.
func Run(s *script.State, argv []string) error {
	cmd, err := command(s.Ctx, s, argv)
	if err != nil {
		return err
	}
	cmd.Stdin = strings.NewReader(s.Stdin)
	cmd.Stdout = s.Stdout
	cmd.Stderr = s.Stderr
	var started bool
	err = s.World.Sandbox(s.NS, func() error {
		if err := cmd.Start(); err != nil {
			return err
		}
		started = true
		return cmd.Wait()
	})
	if !started {
		return s.Fail(exitErr, "exec of %q failed: %v", argv[0], err)
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // it exited 0; what it left running held its output
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &script.ExitError{Code: 128 + int(ws.Signal()), Msg: fmt.Sprintf("%s: %v", argv[0], ws.Signal())}
		}
		return &script.ExitError{Code: ee.ExitCode()}
	}
	return err
}

// command prepares argv, a real program, as the scenario runs programs: found
// in the scenario's PATH, its working directory and environment, argv[0] as
// given, a process group of its own, and, when ctx ends, SIGKILL to that
// group.
func command(ctx context.Context, s *script.State, argv []string) (*exec.Cmd, error) {
	if len(argv) == 0 {
		return nil, s.Fail(exitErr, "No command specified")
	}
	path, err := LookPath(s, argv[0])
	if err != nil {
		return nil, s.Fail(exitErr, "exec of %q failed: No such file or directory", argv[0])
	}
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = OutputDelay
	return cmd, nil
}
