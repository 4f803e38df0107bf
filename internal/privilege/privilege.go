// Package privilege answers, once per process, whether netscript can work
// here: create network namespaces and configure them. Every test that needs
// namespaces and the runner ask it, so a uid-0 container without
// CAP_SYS_ADMIN, or one whose seccomp profile refuses unshare, skips
// instead of failing.
//
// It reads capabilities, not the user id: root without CAP_SYS_ADMIN
// cannot create a namespace, and a user holding the capabilities in a user
// namespace (unshare -Urn) can.
package privilege

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/netnsfd"
)

// Cap is a Linux capability, by its number (unix.CAP_SYS_ADMIN ...).
type Cap int

// The capabilities netscript and its tests ask about.
const (
	SysAdmin Cap = unix.CAP_SYS_ADMIN // create and enter namespaces, mount
	NetAdmin Cap = unix.CAP_NET_ADMIN // configure links, addresses and routes
	SetUID   Cap = unix.CAP_SETUID    // run a program as another user
	SetGID   Cap = unix.CAP_SETGID    // run a program with another group
	SetPCap  Cap = unix.CAP_SETPCAP   // drop capabilities from the bounding set
)

var capNames = map[Cap]string{
	SysAdmin: "CAP_SYS_ADMIN",
	NetAdmin: "CAP_NET_ADMIN",
	SetUID:   "CAP_SETUID",
	SetGID:   "CAP_SETGID",
	SetPCap:  "CAP_SETPCAP",
}

// String returns the capability's name, as CAP_SYS_ADMIN, or CAP_N for one
// this package has no name for.
func (c Cap) String() string {
	if name, ok := capNames[c]; ok {
		return name
	}
	return "CAP_" + strconv.Itoa(int(c))
}

// Needed are the capabilities creating and configuring network namespaces
// takes.
var Needed = []Cap{SysAdmin, NetAdmin}

// ParseCapEff returns the effective capability set from the text of
// /proc/PID/status (its CapEff line), as a bit mask indexed by Cap.
func ParseCapEff(status []byte) (uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		hex, ok := strings.CutPrefix(sc.Text(), "CapEff:")
		if !ok {
			continue
		}
		hex = strings.TrimSpace(hex)
		set, err := strconv.ParseUint(hex, 16, 64)
		if err != nil || hex == "" {
			return 0, fmt.Errorf("bad CapEff line %q: not a hexadecimal mask", sc.Text())
		}
		return set, nil
	}
	return 0, fmt.Errorf("no CapEff line")
}

// Effective returns this process's effective capability set.
func Effective() (uint64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("read capabilities: %w", err)
	}
	set, err := ParseCapEff(data)
	if err != nil {
		return 0, fmt.Errorf("read capabilities from /proc/self/status: %w", err)
	}
	return set, nil
}

// lacking returns the names of the capabilities of caps not in set.
func lacking(set uint64, caps []Cap) []string {
	var names []string
	for _, c := range caps {
		if c < 0 || c > 63 || set&(1<<uint(c)) == 0 {
			names = append(names, c.String())
		}
	}
	return names
}

// MissingCaps returns why this process lacks one of caps in its effective
// set, naming those it lacks, or "" when it holds them all.
func MissingCaps(caps ...Cap) string {
	set, err := Effective()
	if err != nil {
		return err.Error()
	}
	if names := lacking(set, caps); len(names) > 0 {
		return "lacks " + strings.Join(names, " and ")
	}
	return ""
}

// missing is Missing with its inputs given: the effective set (or the
// error reading it) and the trial of creating a namespace, run only when
// the capabilities are there.
func missing(set uint64, readErr error, trial func() error) string {
	why := ""
	switch {
	case readErr != nil:
		why = readErr.Error()
	case len(lacking(set, Needed)) > 0:
		why = "lacks " + strings.Join(lacking(set, Needed), " and ")
	default:
		if err := trial(); err != nil {
			why = err.Error()
		}
	}
	if why == "" {
		return ""
	}
	return fmt.Sprintf("netscript needs to create network namespaces (%s): run as root, "+
		"or with CAP_SYS_ADMIN and CAP_NET_ADMIN, e.g. inside `unshare -Urn`", why)
}

var (
	once    sync.Once
	onceWhy string
)

// Missing returns why this process cannot create and configure network
// namespaces, or "" when it can: it needs CAP_SYS_ADMIN and CAP_NET_ADMIN
// in its effective set, and a trial unshare(CLONE_NEWNET) must succeed
// (seccomp may refuse it even to root). The answer is found once per
// process.
func Missing() string {
	once.Do(func() {
		set, err := Effective()
		onceWhy = missing(set, err, tryNetns)
	})
	return onceWhy
}

// tryNetns creates a network namespace, as world.New does, and frees it.
func tryNetns() error {
	fd, err := netnsfd.New()
	if err == nil {
		unix.Close(fd)
	}
	return err
}

// TB is the part of testing.TB that Require uses.
type TB interface {
	Helper()
	Skip(args ...any)
}

// Require skips t unless this process can create and configure network
// namespaces (Missing) and holds every capability of extra, such as SetUID
// for a test that runs a program as another user.
func Require(t TB, extra ...Cap) {
	t.Helper()
	if why := Missing(); why != "" {
		t.Skip(why)
	}
	if why := MissingCaps(extra...); why != "" {
		t.Skip("the test " + why)
	}
}

// StartWithout starts cmd with the capabilities of drop removed from its
// bounding set, so that a program run as uid 0 does not get them, as in a
// container that withholds them. Dropping needs CAP_SETPCAP and cannot be
// undone, so StartWithout drops them on a locked thread of its own, forks
// cmd from it, and lets the runtime end that thread (or park it, were it
// the main thread): no other goroutine runs with the reduced set.
func StartWithout(cmd *exec.Cmd, drop ...Cap) error {
	done := make(chan error, 1)
	go func() {
		// Never unlocked: the thread's bounding set stays reduced, so the
		// runtime must end the thread with this goroutine. The child is
		// forked from this thread and inherits the reduced set.
		runtime.LockOSThread()
		for _, c := range drop {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
				done <- fmt.Errorf("drop %v from the bounding set: %w", c, err)
				return
			}
		}
		done <- cmd.Start()
	}()
	return <-done
}

// RerunWithout runs the test named test of this test binary again as uid 0
// less the capabilities of drop, as in a container that withholds them,
// with env (NAME=VALUE) set for the child to know it is one, and returns
// the child's output. It skips t unless this process is uid 0 holding
// CAP_SETPCAP, and fails t when the child fails.
func RerunWithout(t testing.TB, test, env string, drop ...Cap) string {
	t.Helper()
	// The premise is uid 0 (which gets every capability of its bounding
	// set at exec); dropping one from that set needs CAP_SETPCAP.
	if os.Geteuid() != 0 {
		t.Skip("the test re-runs itself as uid 0 less a capability: needs uid 0")
	}
	Require(t, SetPCap)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := StartWithout(cmd, drop...); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%s without %v did not pass: %v\n%s", test, drop, err, out.String())
	}
	return out.String()
}
