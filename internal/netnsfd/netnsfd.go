// Package netnsfd creates network namespaces: the one system call sequence
// that both the World and the privilege check (which tries it once) use.
package netnsfd

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// New creates a network namespace on a locked thread and returns a
// descriptor for it. The thread then goes back to its original namespace
// and is unlocked; if it cannot, its goroutine exits still locked so the
// runtime ends the thread (Go cannot end the main thread: it parks it, so
// the restore is what keeps the main thread out of scenario namespaces).
func New() (int, error) {
	type result struct {
		fd  int
		err error
	}
	c := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			c <- result{-1, fmt.Errorf("open current network namespace: %w", err)}
			return
		}
		defer unix.Close(orig)
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			c <- result{-1, fmt.Errorf("unshare(CLONE_NEWNET): %w", err)}
			return
		}
		fd, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			err = fmt.Errorf("open new network namespace: %w", err)
		}
		if serr := unix.Setns(orig, unix.CLONE_NEWNET); serr != nil {
			c <- result{fd, err}
			return // still locked: the runtime ends this thread
		}
		runtime.UnlockOSThread()
		c <- result{fd, err}
	}()
	r := <-c
	return r.fd, r.err
}
