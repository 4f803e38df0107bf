package sysctl

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// hostNetns identifies the network namespace the process started in: the
// host's, or in rootless mode the one the runner made for itself. It is
// read at package initialisation, on the main thread, before any thread
// has entered a scenario's namespace.
var hostNetns, hostNetnsErr = netnsID("/proc/thread-self/ns/net")

// netnsID returns the device and inode that identify a namespace file.
func netnsID(file string) ([2]uint64, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return [2]uint64{}, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return [2]uint64{}, fmt.Errorf("stat %s: no inode", file)
	}
	return [2]uint64{uint64(st.Dev), st.Ino}, nil
}

// checkNotHost is the last line of defence before a write: the calling
// thread must be in a namespace of its own, neither the process's first
// one nor init's. It runs on the thread that will write.
func checkNotHost() error {
	if hostNetnsErr != nil {
		return fmt.Errorf("cannot tell the host's network namespace: %w", hostNetnsErr)
	}
	here, err := netnsID("/proc/thread-self/ns/net")
	if err != nil {
		return fmt.Errorf("cannot tell this thread's network namespace: %w", err)
	}
	if here == hostNetns {
		return errors.New("netscript refuses to write: this thread is in the host's network namespace")
	}
	if initNetns, err := netnsID("/proc/1/ns/net"); err == nil && here == initNetns {
		return errors.New("netscript refuses to write: this thread is in init's network namespace")
	}
	return nil
}
