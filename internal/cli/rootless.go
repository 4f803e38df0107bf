package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// rootlessEnv marks a netscript that re-ran itself in a user namespace.
const rootlessEnv = "NETSCRIPT_ROOTLESS"

// runRootless re-runs "netscript run args" inside a new user and network
// namespace, where the calling user is root with the capabilities that
// creating namespaces and links needs, and returns its exit status. why
// says what privilege is missing, for the message when that fails too.
func runRootless(args []string, stdout, stderr io.Writer, why string) int {
	if os.Getenv(rootlessEnv) != "" {
		fmt.Fprintf(stderr, "netscript run: %s\n", why)
		return exitUsage
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "netscript run: %s\n(and cannot re-run itself: %v)\n", why, err)
		return exitUsage
	}
	cmd := exec.Command(exe, append([]string{"run"}, args...)...)
	cmd.Env = append(os.Environ(), rootlessEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		GidMappingsEnableSetgroups: false,
		Pdeathsig:                  syscall.SIGKILL,
	}
	// SIGINT and SIGTERM are the child's to handle (it stops its scenarios
	// and exits 130 or 143); this process passes them on and waits.
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	if err = cmd.Start(); err == nil {
		waited := make(chan error, 1)
		go func() { waited <- cmd.Wait() }()
		for done := false; !done; {
			select {
			case sig := <-sigc:
				if !(sig == os.Interrupt && inForeground()) {
					cmd.Process.Signal(sig)
				}
			case err = <-waited:
				done = true
			}
		}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	case errors.As(err, &ee):
		fmt.Fprintf(stderr, "netscript run: the rootless run ended: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(stderr, "netscript run: not root, and unprivileged user namespaces are not available (%v).\n"+
		"Run as root, or enable them (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0).\n", err)
	return exitUsage
}

// inForeground reports whether this process group is the foreground one of
// the terminal on stdin, stdout or stderr: then a Ctrl-C reaches the child,
// in the same group, without help, and passing it on would make it a
// second signal.
func inForeground() bool {
	for _, fd := range []int{0, 1, 2} {
		if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err == nil {
			return pgrp == unix.Getpgrp()
		}
	}
	return false
}
