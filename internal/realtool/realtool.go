// Package realtool runs a real tool and a netscript builtin in the same
// namespace and returns results that compare, for the differential tests
// that hold netscript's output to the real tools'.
package realtool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cmptime"
	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// Result is what one command printed, and its exit status.
type Result struct {
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return fmt.Sprintf("[stdout]\n%s[stderr]\n%s[exit %d]\n", r.Stdout, r.Stderr, r.Code)
}

// Env is the environment real tools run with: the standard PATH and a C
// locale, so their messages are the untranslated ones.
var Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"}

// Real runs argv, a real program, in ns (see Start). env defaults to Env.
func Real(ctx context.Context, ns *world.NS, env []string, argv ...string) (Result, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	if env == nil {
		cmd.Env = Env
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := Start(ns, cmd); err != nil {
		return Result{}, err
	}
	err := cmd.Wait()
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("%q did not finish: %w", argv, ctx.Err())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return Result{}, fmt.Errorf("%q: %w", argv, err)
	}
	return Result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}, nil
}

// Start starts cmd, a real program, inside ns and inside a mount namespace
// of its own whose /run is an empty tmpfs: started from a thread that has
// entered both, the process is born there. So a real ip names no
// namespace of the host's /run/netns (where other processes may add and
// delete namespaces at any moment: iproute2 asks the kernel about each
// name it finds, and prints "Peer netns reference is invalid." for one
// half made), and a real "ip netns add" pins nothing on the host.
//
// The thread is used for nothing else: it unshares its file system
// attributes and mount namespace, which cannot be undone, so it ends with
// the goroutine that locked it.
func Start(ns *world.NS, cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
		errc <- startSandboxed(ns, cmd)
	}()
	if err := <-errc; err != nil {
		return fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	return nil
}

func startSandboxed(ns *world.NS, cmd *exec.Cmd) error {
	if err := unix.Unshare(unix.CLONE_FS | unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	// The copies of the host's named namespaces would hold them alive
	// for as long as the program runs: let them go first. iproute2 makes
	// /run/netns a mount point of its own; where nothing did, there is
	// nothing to let go.
	_ = unix.Unmount("/run/netns", unix.MNT_DETACH)
	if err := unix.Mount("netscript-realtool", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount a tmpfs on /run: %w", err)
	}
	if err := unix.Mkdir("/run/netns", 0o755); err != nil {
		return fmt.Errorf("make /run/netns: %w", err)
	}
	if err := unix.Setns(ns.Fd(), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("enter network namespace %s: %w", ns.Label(), err)
	}
	return cmd.Start()
}

// Builtin runs netscript's cmd with args in ns of w, as the runner would.
// An error that is not the command's own exit status is returned as error.
func Builtin(ctx context.Context, w *world.World, ns *world.NS, cmd *script.Cmd, args ...string) (Result, error) {
	table := script.Table{}
	table.Add(cmd)
	var stdout, stderr bytes.Buffer
	s := &script.State{Ctx: ctx, World: w, NS: ns, Stdout: &stdout, Stderr: &stderr}
	err := table.Run(s, append([]string{cmd.Name}, args...))
	var ee *script.ExitError
	if err != nil && !errors.As(err, &ee) {
		return Result{}, fmt.Errorf("%s %q: %w", cmd.Name, args, err)
	}
	return Result{stdout.String(), stderr.String(), script.ExitCode(err)}, nil
}

// MaskTiming replaces the timing figures in ping's output, the only part of
// an imitated tool's output allowed to differ from the real tool's: the
// same figures the scenario command cmptime ignores.
func MaskTiming(s string) string { return cmptime.MaskTiming(s) }

// RequireRoot skips t unless it can create and configure network
// namespaces (privilege.Require): by capabilities, not by user id.
func RequireRoot(t testing.TB) {
	t.Helper()
	privilege.Require(t)
}

// Require skips t unless every tool is installed: there is nothing to
// compare with. CI installs them, so there the tests run.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	RequireRoot(t)
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: nothing to compare with", tool)
		}
	}
}

// CLocale is an environment with the C locale, for tools (net-tools,
// procps) whose tests were recorded with LC_ALL=C.
var CLocale = []string{"LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}

// MustReal is Real under a timeout, failing t on an error of its own.
func MustReal(t testing.TB, ns *world.NS, timeout time.Duration, env []string, argv ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r, err := Real(ctx, ns, env, argv...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// MustBuiltin is Builtin under a timeout, failing t on an error of its own.
func MustBuiltin(t testing.TB, w *world.World, ns *world.NS, timeout time.Duration, cmd *script.Cmd, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r, err := Builtin(ctx, w, ns, cmd, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// NewWorld makes a World with the named namespaces for the test t, closed
// when t ends.
func NewWorld(t testing.TB, names ...string) (*world.World, []*world.NS) {
	t.Helper()
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	nss := make([]*world.NS, len(names))
	for i, name := range names {
		if nss[i], err = w.Add(name); err != nil {
			t.Fatal(err)
		}
	}
	return w, nss
}

// ParseEverySequence parses prefix followed by every sequence of up to depth
// words from words with cmd, and fails t where Parse returns anything but an
// action or an *script.ExitError. A panic fails the test too.
func ParseEverySequence(t testing.TB, cmd *script.Cmd, prefix, words []string, depth int) {
	t.Helper()
	args := append([]string(nil), prefix...)
	var walk func(level int)
	walk = func(level int) {
		_, err := cmd.Parse(args)
		var e *script.ExitError
		if err != nil && !errors.As(err, &e) {
			t.Errorf("%s %q: %v is not an exit error", cmd.Name, args, err)
		}
		if level == depth {
			return
		}
		for _, w := range words {
			args = append(args, w)
			walk(level + 1)
			args = args[:len(args)-1]
		}
	}
	walk(0)
}

// RunLine runs one command line of table in ns of w, as the runner would,
// failing t on an error that is not the command's own exit status.
func RunLine(t testing.TB, table script.Table, w *world.World, ns *world.NS, line string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	s := &script.State{Ctx: ctx, World: w, NS: ns, Stdout: &stdout, Stderr: &stderr}
	err := table.Run(s, strings.Fields(line))
	var e *script.ExitError
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("%s: netscript error: %v", line, err)
	}
	return Result{stdout.String(), stderr.String(), script.ExitCode(err)}
}
