// Package workroot makes the directory a netscript run keeps its scenarios'
// work directories in, and removes those that runs killed by SIGKILL left
// behind.
//
// A root is $TMPDIR/netscript-PID-RANDOM. Its owner holds an exclusive
// flock on the directory for as long as it lives; the kernel drops the lock
// when the process dies, however it dies. Sweep removes a root only when
// its name has that shape, the directory belongs to the caller's user, the
// process PID is gone, and the lock can be taken: a root whose lock is held
// belongs to a live run, even one in another PID namespace.
package workroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// prefix starts the name of every root.
const prefix = "netscript-"

// Root is a run's work root, locked while the run lives.
type Root struct {
	// Dir is the root's path, symbolic links resolved.
	Dir  string
	lock int // the directory's fd that holds the flock
}

// Create makes a new root in os.TempDir() and locks it.
func Create() (*Root, error) {
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", prefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	// Until the lock is taken, the live PID in the name keeps Sweep away.
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		if err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		os.Remove(dir)
		return nil, fmt.Errorf("work directory: lock %s: %w", dir, err)
	}
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	return &Root{Dir: dir, lock: fd}, nil
}

// Remove deletes the root and everything in it, then releases the lock.
func (r *Root) Remove() error {
	err := removeAll(r.Dir)
	if r.lock >= 0 {
		unix.Close(r.lock)
		r.lock = -1
	}
	if err != nil {
		return fmt.Errorf("remove work directory: %w", err)
	}
	return nil
}

// Sweep removes, from os.TempDir(), the roots of dead runs of the calling
// user and returns their paths. It never touches anything else: a name of
// another shape, another user's directory, a symbolic link, a root whose
// process lives or whose lock is held.
func Sweep() (removed []string, err error) {
	tmp := os.TempDir()
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil, fmt.Errorf("sweep work directories: %w", err)
	}
	var errs error
	for _, e := range entries {
		pid, ok := ownerPid(e.Name())
		if !ok || !e.IsDir() || alive(pid) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		done, err := sweepOne(dir)
		if err != nil {
			errs = errors.Join(errs, err)
		}
		if done {
			removed = append(removed, dir)
		}
	}
	if errs != nil {
		return removed, fmt.Errorf("sweep work directories: %w", errs)
	}
	return removed, nil
}

// sweepOne removes dir if it belongs to the caller and its lock is free.
func sweepOne(dir string) (bool, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return false, nil // gone meanwhile, or not a directory
		}
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if int(st.Uid) != os.Geteuid() {
		return false, nil
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return false, nil // a live run holds it
		}
		return false, fmt.Errorf("%s: lock: %w", dir, err)
	}
	if err := removeAll(dir); err != nil {
		return false, err
	}
	return true, nil
}

// ownerPid returns the PID in a root's name, netscript-PID-RANDOM.
func ownerPid(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	digits, random, ok := strings.Cut(rest, "-")
	if !ok || random == "" {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 || strconv.Itoa(pid) != digits { // no sign, no leading zero
		return 0, false
	}
	return pid, true
}

// alive reports whether process pid exists (or may: any doubt is life).
func alive(pid int) bool {
	err := unix.Kill(pid, 0)
	return !errors.Is(err, unix.ESRCH)
}

// removeAll removes dir as testscript does: directories made read-only
// by a scenario are made writable first.
func removeAll(dir string) error {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o777)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, syscall.ENOENT) {
		return err
	}
	return nil
}
