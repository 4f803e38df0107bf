package world

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The sandbox is where a World's real programs run: a private mount
// namespace and a PID namespace of the World's own.
//
//   - /run is a tmpfs that shows the host's entries (bind mounts of them)
//     except netns: /run/netns is a tmpfs of its own that holds exactly the
//     World's namespaces, as bind mounts of their descriptors, kept in step
//     as namespaces are added and deleted. So the real "ip netns list",
//     "ip -n NAME" and "ip netns exec NAME" name the scenario's namespaces,
//     and the host's /run/netns is neither visible nor touched. /run/netns
//     is a shared mount, as iproute2 makes it: a real "ip netns add x" run
//     inside pins x there, and x joins the World (see sync).
//   - /sys is a sysfs of the program's network namespace, and the files of
//     /etc/netns/NAME are bind-mounted over /etc, as the real "ip netns exec"
//     does: each named namespace gets a mount namespace of its own, copied
//     from the World's on first use.
//   - Every real program is born in the PID namespace, whose init is this
//     binary re-executed (see runInit). When init dies every process in the
//     namespace dies with it, however it daemonized. init dies when the World
//     kills it, or when netscript itself dies, even by SIGKILL: it reads a
//     pipe whose only write end netscript holds.
//
// Threads that enter the sandbox unshare their filesystem information
// (CLONE_FS) to enter the mount namespace, and never go back to the Go
// scheduler: their goroutines end still locked, and the runtime ends the
// thread.
type sandbox struct {
	mnt      int // the World's mount namespace (root's /sys)
	pidns    int // the PID namespace
	initPid  int // its init, as the host numbers it
	initDone chan struct{}
	hold     *os.File // write end of init's pipe
	cwd      string   // threads entering the sandbox change to it

	mu    sync.Mutex
	nsMnt map[*NS]int // mount namespace of a named namespace, made on first use
}

// initEnv marks a process started as a sandbox's init.
const initEnv = "NETSCRIPT_SANDBOX_INIT"

func init() {
	// A sandbox's init is this binary, re-executed: it never gets to main.
	if os.Getpid() == 1 && os.Getenv(initEnv) == "1" {
		runInit()
	}
	// The main goroutine keeps the main thread. A thread that entered a
	// sandbox never returns to the scheduler and ends with its goroutine,
	// but the runtime cannot end the main thread: it would stay, wedged, in
	// the sandbox's namespaces, and /proc/self (which names the main
	// thread) would show them. Locked here, no other goroutine (a
	// scenario's) ever runs on it.
	runtime.LockOSThread()
}

// runInit is the PID namespace's init: it reaps the orphans that are
// reparented to it and exits when its pipe (descriptor 3) reports that
// netscript closed it or died. Signals sent from inside the namespace
// cannot end it.
func runInit() {
	signal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGTSTP,
		syscall.SIGTTIN, syscall.SIGTTOU)
	chld := make(chan os.Signal, 1)
	signal.Notify(chld, syscall.SIGCHLD)
	gone := make(chan struct{})
	go func() {
		var b [1]byte
		os.NewFile(3, "netscript").Read(b[:])
		close(gone)
	}()
	for {
		for {
			pid, err := unix.Wait4(-1, nil, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
		select {
		case <-gone:
			os.Exit(0)
		case <-chld:
		}
	}
}

// Sandboxed reports whether the World's sandbox has been made.
func (w *World) Sandboxed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sb != nil
}

// sandbox returns the World's sandbox, making it on first use.
func (w *World) sandbox() (*sandbox, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, ErrClosed
	}
	if w.sb != nil {
		return w.sb, nil
	}
	sb, err := newSandbox(w.root)
	if err != nil {
		return nil, fmt.Errorf("make the scenario's sandbox: %w", err)
	}
	var errs []error
	for _, ns := range w.named {
		errs = append(errs, sb.bind(ns))
	}
	if err := errors.Join(errs...); err != nil {
		sb.close()
		return nil, fmt.Errorf("make the scenario's sandbox: %w", err)
	}
	w.sb = sb
	return sb, nil
}

// newSandbox makes the mount namespace, mounts /run and /sys in it, and
// starts the PID namespace's init. The thread that does it stays locked
// and waits for init, so it ends when init does.
func newSandbox(root *NS) (*sandbox, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	}
	// The first process started after unshare(CLONE_NEWPID) becomes the
	// namespace's init. The os package probes pidfd support once, with a
	// clone of its own: have it done now, or its probe would be init and
	// die at once, taking the namespace with it.
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Release()
	}
	sb := &sandbox{mnt: -1, pidns: -1, cwd: cwd, initDone: make(chan struct{}), nsMnt: make(map[*NS]int)}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread's namespaces changed
		cmd, err := sb.setUp(root)
		if err != nil {
			errc <- err
			close(sb.initDone)
			return
		}
		errc <- nil
		cmd.Wait()
		close(sb.initDone)
	}()
	if err := <-errc; err != nil {
		sb.close()
		return nil, err
	}
	return sb, nil
}

// setUp runs on the sandbox's own thread: it makes the namespaces and
// starts init.
func (sb *sandbox) setUp(root *NS) (*exec.Cmd, error) {
	if err := unix.Unshare(unix.CLONE_FS | unix.CLONE_NEWNS); err != nil {
		return nil, fmt.Errorf("unshare(CLONE_FS|CLONE_NEWNS): %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return nil, fmt.Errorf("make / private: %w", err)
	}
	if err := root.enter(); err != nil {
		return nil, err
	}
	if err := privateRun(); err != nil {
		return nil, err
	}
	if err := mountSysfs("sysfs"); err != nil {
		return nil, err
	}
	if err := unix.Chdir(sb.cwd); err != nil {
		return nil, fmt.Errorf("chdir %s: %w", sb.cwd, err)
	}
	mnt, err := unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open the sandbox's mount namespace: %w", err)
	}
	sb.mnt = mnt
	if err := unix.Unshare(unix.CLONE_NEWPID); err != nil {
		return nil, fmt.Errorf("unshare(CLONE_NEWPID): %w", err)
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("init's pipe: %w", err)
	}
	defer r.Close()
	sb.hold = wr
	// /proc/self/exe is this binary: its init function (above) runs it
	// as init. No Pdeathsig: Go's child checks getppid(), which is 0 across
	// PID namespaces, and would kill itself; the pipe does that job.
	cmd := exec.Command("/proc/self/exe")
	cmd.Args[0] = "netscript-sandbox-init"
	cmd.Env = []string{initEnv + "=1"}
	cmd.ExtraFiles = []*os.File{r}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the sandbox's init: %w", err)
	}
	sb.initPid = cmd.Process.Pid
	pidns, err := unix.Open(fmt.Sprintf("/proc/%d/ns/pid", sb.initPid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("open the sandbox's PID namespace: %w", err)
	}
	sb.pidns = pidns
	return cmd, nil
}

// privateRun mounts a tmpfs on /run that shows the host's entries, bind
// mounted, except netns, and a tmpfs of its own on /run/netns, shared so
// that what a real "ip netns add" mounts there reaches every mount
// namespace of the sandbox. Nothing is created on the host.
func privateRun() error {
	entries, err := os.ReadDir("/run")
	if err != nil {
		return fmt.Errorf("read /run: %w", err)
	}
	host, err := unix.Open("/run", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /run: %w", err)
	}
	defer unix.Close(host)
	if err := unix.Mount("netscript", "/run", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount a tmpfs on /run: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == "netns" {
			continue
		}
		src := fmt.Sprintf("/proc/self/fd/%d/%s", host, name)
		dst := "/run/" + name
		switch {
		case e.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, dst)
			}
			if err != nil {
				return fmt.Errorf("copy the symbolic link /run/%s: %w", name, err)
			}
			continue
		case e.IsDir():
			err = unix.Mkdir(dst, 0o755)
		default:
			var fd int
			if fd, err = unix.Open(dst, unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY|unix.O_CLOEXEC, 0o644); err == nil {
				unix.Close(fd)
			}
		}
		if err != nil {
			return fmt.Errorf("make /run/%s: %w", name, err)
		}
		if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind mount the host's /run/%s: %w", name, err)
		}
	}
	if err := unix.Mkdir("/run/netns", 0o755); err != nil {
		return fmt.Errorf("make /run/netns: %w", err)
	}
	if err := unix.Mount("netscript-netns", "/run/netns", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0755"); err != nil {
		return fmt.Errorf("mount a tmpfs on /run/netns: %w", err)
	}
	if err := unix.Mount("", "/run/netns", "", unix.MS_SHARED, ""); err != nil {
		return fmt.Errorf("make /run/netns shared: %w", err)
	}
	return nil
}

// mountSysfs mounts a sysfs of the thread's network namespace on /sys, as
// iproute2's netns_switch does: the old one is detached, or, where it
// cannot be (a mount locked by a user namespace), covered, read-only if it
// was.
func mountSysfs(source string) error {
	var flags uintptr
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err != nil {
		var st unix.Statfs_t
		if unix.Statfs("/sys", &st) == nil && st.Flags&unix.ST_RDONLY != 0 {
			flags = unix.MS_RDONLY
		}
	}
	if err := unix.Mount(source, "/sys", "sysfs", flags, ""); err != nil {
		return fmt.Errorf("mount of /sys failed: %w", err)
	}
	return nil
}

// bindEtc bind-mounts every file of /etc/netns/NAME over its namesake in
// /etc, as iproute2's bind_etc does.
func bindEtc(name string) error {
	dir := filepath.Join("/etc/netns", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // nothing to bind: iproute2 is silent too
	}
	var errs []error
	for _, e := range entries {
		src, dst := filepath.Join(dir, e.Name()), filepath.Join("/etc", e.Name())
		if err := unix.Mount(src, dst, "none", unix.MS_BIND, ""); err != nil {
			errs = append(errs, fmt.Errorf("bind %s -> %s failed: %w", src, dst, err))
		}
	}
	return errors.Join(errs...)
}

// inMount runs fn on a fresh locked thread that has entered the mount
// namespace mnt (and the sandbox's working directory). The thread ends
// after fn: it never returns to the scheduler.
func (sb *sandbox) inMount(mnt int, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked
		errc <- func() error {
			if err := enterMount(mnt, sb.cwd); err != nil {
				return err
			}
			return fn()
		}()
	}()
	return <-errc
}

// enterMount moves the calling thread, locked, into mount namespace mnt.
func enterMount(mnt int, cwd string) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare(CLONE_FS): %w", err)
	}
	if err := unix.Setns(mnt, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("enter the sandbox's mount namespace: %w", err)
	}
	if err := unix.Chdir(cwd); err != nil {
		return fmt.Errorf("chdir %s: %w", cwd, err)
	}
	return nil
}

// netnsPath is where the sandbox pins a namespace called name.
func netnsPath(name string) string { return "/run/netns/" + name }

// bind pins ns under the sandbox's /run/netns.
func (sb *sandbox) bind(ns *NS) error {
	return sb.inMount(sb.mnt, func() error {
		path := netnsPath(ns.Name)
		fd, err := unix.Open(path, unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("create %s in the sandbox: %w", path, err)
		}
		unix.Close(fd)
		src := fmt.Sprintf("/proc/self/fd/%d", ns.Fd())
		if err := unix.Mount(src, path, "none", unix.MS_BIND, ""); err != nil {
			unix.Unlink(path)
			return fmt.Errorf("bind %s in the sandbox: %w", path, err)
		}
		return nil
	})
}

// unbind removes the name of ns from the sandbox's /run/netns, as
// "ip netns del" does, if it is still there.
func (sb *sandbox) unbind(name string) error {
	return sb.inMount(sb.mnt, func() error {
		path := netnsPath(name)
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("unmount %s in the sandbox: %w", path, err)
		}
		if err := unix.Unlink(path); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("remove %s in the sandbox: %w", path, err)
		}
		return nil
	})
}

// mountFor returns the mount namespace programs in ns run in: the World's
// for its root, and for a named namespace one of its own with its /sys and
// /etc/netns/NAME, made on first use.
func (sb *sandbox) mountFor(ns *NS) (int, error) {
	if ns.Name == "" {
		return sb.mnt, nil
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if fd, ok := sb.nsMnt[ns]; ok {
		return fd, nil
	}
	fd := -1
	err := sb.inMount(sb.mnt, func() error {
		if err := ns.enter(); err != nil {
			return err
		}
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			return fmt.Errorf("unshare(CLONE_NEWNS): %w", err)
		}
		if err := mountSysfs(ns.Name); err != nil {
			return err
		}
		if err := bindEtc(ns.Name); err != nil {
			return err
		}
		var err error
		if fd, err = unix.Open("/proc/thread-self/ns/mnt", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
			return fmt.Errorf("open the mount namespace of %s: %w", ns.label(), err)
		}
		return nil
	})
	if err != nil {
		return -1, fmt.Errorf("sandbox for namespace %s: %w", ns.label(), err)
	}
	sb.nsMnt[ns] = fd
	return fd, nil
}

// forget closes the mount namespace made for ns, if any.
func (sb *sandbox) forget(ns *NS) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if fd, ok := sb.nsMnt[ns]; ok {
		unix.Close(fd)
		delete(sb.nsMnt, ns)
	}
}

// entries lists the namespaces pinned under the sandbox's /run/netns, as
// the host sees them through init's root: name to namespace inode. A file
// that is not (yet) a namespace is left out.
func (sb *sandbox) entries() (map[string]uint64, error) {
	dir := fmt.Sprintf("/proc/%d/root/run/netns", sb.initPid)
	list, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read the sandbox's /run/netns: %w", err)
	}
	found := make(map[string]uint64, len(list))
	for _, e := range list {
		var st unix.Statfs_t
		path := filepath.Join(dir, e.Name())
		if unix.Statfs(path, &st) != nil || st.Type != unix.NSFS_MAGIC {
			continue
		}
		var s unix.Stat_t
		if unix.Stat(path, &s) == nil {
			found[e.Name()] = s.Ino
		}
	}
	return found, nil
}

// open opens the namespace pinned as name in the sandbox.
func (sb *sandbox) open(name string) (int, error) {
	path := fmt.Sprintf("/proc/%d/root/run/netns/%s", sb.initPid, name)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open the sandbox's %s: %w", netnsPath(name), err)
	}
	return fd, nil
}

// alive reports whether init still runs: after it died nothing can start.
func (sb *sandbox) alive() bool {
	select {
	case <-sb.initDone:
		return false
	default:
		return true
	}
}

// killInit ends the PID namespace, and with it every process inside, and
// waits until they are gone.
func (sb *sandbox) killInit() {
	if sb.initPid > 0 {
		syscall.Kill(sb.initPid, syscall.SIGKILL)
	}
	<-sb.initDone
}

// close ends init and releases the namespaces' descriptors.
func (sb *sandbox) close() {
	if sb.hold != nil {
		sb.hold.Close()
	}
	sb.killInit()
	sb.mu.Lock()
	for ns, fd := range sb.nsMnt {
		unix.Close(fd)
		delete(sb.nsMnt, ns)
	}
	sb.mu.Unlock()
	for _, fd := range []int{sb.mnt, sb.pidns} {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
	sb.mnt, sb.pidns = -1, -1
}

// KillInNamespaces sends SIGKILL to every process, other than netscript
// itself, whose network namespace (/proc/PID/ns/net) has one of the given
// inodes, until none is left or the attempts run out. It returns how many
// processes it signalled.
func KillInNamespaces(inodes map[uint64]bool) (int, error) {
	self := os.Getpid()
	killed := 0
	for attempt := 0; attempt < 100; attempt++ {
		pids, err := processesIn(inodes, self)
		if err != nil {
			return killed, err
		}
		if len(pids) == 0 {
			return killed, nil
		}
		for _, pid := range pids {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond) // let them die
	}
	return killed, fmt.Errorf("processes still inside the scenario's namespaces after 100 rounds of SIGKILL")
}

// processesIn lists the processes whose network namespace has one of the
// inodes. Processes that cannot be read (gone, or another user's) are left
// out; so are zombies, which hold no namespace.
func processesIn(inodes map[uint64]bool, self int) ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	var pids []int
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid == self {
			continue
		}
		link, err := os.Readlink("/proc/" + name + "/ns/net")
		if err != nil {
			continue
		}
		ino, ok := strings.CutPrefix(link, "net:[")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(ino, "]"), 10, 64)
		if err == nil && inodes[n] {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// syncLocked brings the World in step with the sandbox's /run/netns, where
// real programs may have added namespaces ("ip netns add" run for real:
// they join the World) or deleted them (the World forgets them). It returns
// the namespaces it removed, for the caller to close once w.mu is released.
// w.mu is held.
func (w *World) syncLocked() []*NS {
	if w.sb == nil || w.closed || !w.sb.alive() {
		return nil
	}
	found, err := w.sb.entries()
	if err != nil {
		return nil // init is going away: nothing to learn
	}
	var gone []*NS
	for name, ns := range w.named {
		ino, ok := found[name]
		if mine, err := ns.Inode(); ok && err == nil && mine == ino {
			continue
		}
		delete(w.named, name)
		gone = append(gone, ns)
		w.sb.forget(ns)
	}
	for name := range found {
		if _, ok := w.named[name]; ok || !ValidName(name) {
			continue
		}
		fd, err := w.sb.open(name)
		if err != nil {
			continue // deleted meanwhile
		}
		w.nextSq++
		w.named[name] = &NS{Name: name, fd: fd, seq: w.nextSq}
	}
	return gone
}

// Sandbox runs fn on a fresh OS thread inside the World's sandbox (made on
// first use) and inside ns: programs fn starts are born in ns, in the
// sandbox's PID namespace, with a /run/netns that holds exactly the
// World's namespaces, and ns's /sys and /etc/netns files. A program
// started there must also be waited for in fn. The thread ends after fn:
// it never returns to the Go scheduler.
func (w *World) Sandbox(ns *NS, fn func() error) error {
	sb, err := w.sandbox()
	if err != nil {
		return err
	}
	if !sb.alive() {
		return fmt.Errorf("the scenario's sandbox was shut down (its deadline passed, or it was closed)")
	}
	mnt, err := sb.mountFor(ns)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked
		errc <- func() error {
			if err := sb.enter(mnt); err != nil {
				return err
			}
			if err := ns.enter(); err != nil {
				return err
			}
			return fn()
		}()
	}()
	return <-errc
}

// enter moves the calling thread, locked, into the mount namespace mnt and
// makes its children be born in the sandbox's PID namespace.
func (sb *sandbox) enter(mnt int) error {
	if err := enterMount(mnt, sb.cwd); err != nil {
		return err
	}
	if err := unix.Setns(sb.pidns, unix.CLONE_NEWPID); err != nil {
		return fmt.Errorf("enter the sandbox's PID namespace: %w", err)
	}
	return nil
}

// EnterSandbox moves the calling thread into the World's sandbox (made on
// first use) and its root namespace, so that programs it starts run there:
// the runner does it for the scenario's thread, from which testscript's
// own exec starts programs. The caller must have locked its goroutine to
// the thread with runtime.LockOSThread and must never unlock it: the
// thread ends with its goroutine.
func (w *World) EnterSandbox() error {
	sb, err := w.sandbox()
	if err != nil {
		return err
	}
	if err := sb.enter(sb.mnt); err != nil {
		return err
	}
	return w.root.enter()
}
