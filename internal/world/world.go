// Package world holds the network namespaces of one scenario.
//
// A World is a private network namespace that plays the scenario's host,
// plus the namespaces the scenario creates with "ip netns add", each kept as
// an open file descriptor. Nothing is bind-mounted under /run/netns, so two
// worlds may use the same names, and when the process dies (even by SIGKILL)
// the kernel frees every namespace and every link in them.
package world

import (
	"github.com/netscript/netscript/internal/netnsfd"

	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// NS is one network namespace of a World.
type NS struct {
	// Name is the name given by "ip netns add", or "" for the World's root.
	Name string

	mu      sync.RWMutex // guards fd against close while Do enters, hooks, nlh and conn
	fd      int
	seq     int              // creation order, for listings
	closing bool             // close has begun: OnClose runs its function at once
	hooks   []func() error   // registered with OnClose, run by close newest first
	nlh     *Netlink         // opened by Netlink on first use
	conn    *nl.SocketHandle // opened by Conn on first use
}

// OnClose registers fn to run when the namespace closes, deleted by
// "ip netns del" or with its World, while the namespace is still open:
// what a scenario starts in a namespace that would otherwise outlive it (a
// listening socket, a background program) ends with it. A socket or a
// process inside also holds the namespace, and its links, alive, so ending
// them is what lets a deleted namespace go. The functions run newest first,
// as deferred calls do; close waits for each and joins their errors into its
// own. fn must not call the World's methods. If the namespace is already
// closing, OnClose runs fn at once and returns ErrClosed joined with fn's
// error.
func (n *NS) OnClose(fn func() error) error {
	n.mu.Lock()
	if n.fd >= 0 && !n.closing {
		n.hooks = append(n.hooks, fn)
		n.mu.Unlock()
		return nil
	}
	n.mu.Unlock()
	return errors.Join(fmt.Errorf("namespace %s: %w", n.label(), ErrClosed), fn())
}

// Fd returns the file descriptor that holds the namespace open.
// It stays valid until the namespace is deleted or the World is closed.
func (n *NS) Fd() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.fd
}

// Inode returns the namespace's inode number, the identity the kernel
// shows in /proc/PID/ns/net links as "net:[INODE]".
func (n *NS) Inode() (uint64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(n.Fd(), &st); err != nil {
		return 0, fmt.Errorf("stat namespace %q: %w", n.Name, err)
	}
	return st.Ino, nil
}

// Do runs fn on an OS thread that has entered the namespace. Sockets fn opens
// belong to the namespace and stay there after Do returns; processes fn
// starts are born in it. fn must not rely on goroutines it starts being in
// the namespace.
//
// Do runs fn on a goroutine of its own, locked to its thread. If the thread
// cannot be returned to its original namespace it is not handed back to the
// scheduler: the goroutine exits still locked and the runtime ends the thread.
func (n *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("open current network namespace: %w", err)
			return // thread dies: it may be in any state
		}
		defer unix.Close(orig)
		if err := n.enter(); err != nil {
			errc <- err
			runtime.UnlockOSThread() // still in its original namespace
			return
		}
		ferr := fn()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("leave network namespace %s: %w", n.label(), err))
			return // still locked: the runtime terminates this thread
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// enter moves the calling thread into the namespace. Once entered, the
// thread holds the namespace alive on its own, so a concurrent close is safe.
func (n *NS) enter() error {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.fd < 0 {
		return fmt.Errorf("namespace %s: %w", n.label(), ErrClosed)
	}
	if err := unix.Setns(n.fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("enter network namespace %s: %w", n.label(), err)
	}
	return nil
}

// Label names the namespace for people: its name, or "(root)" for the
// World's root.
func (n *NS) Label() string {
	if n.Name == "" {
		return "(root)"
	}
	return n.Name
}

func (n *NS) label() string {
	if n.Name == "" {
		return "(root)"
	}
	return fmt.Sprintf("%q", n.Name)
}

// ErrClosed is returned for a namespace that was deleted or whose World was closed.
var ErrClosed = errors.New("namespace closed")

// ErrExist is returned by Add for a name already in use.
var ErrExist = errors.New("namespace already exists")

// ErrNotExist is returned for a name that no namespace has.
var ErrNotExist = errors.New("no such namespace")

// World is one scenario's set of network namespaces.
// Its methods are safe for concurrent use.
type World struct {
	mu     sync.Mutex
	root   *NS
	named  map[string]*NS
	nextSq int
	closed bool
	added  []func(*NS) // registered with OnAdd
	sb     *sandbox    // where real programs run; made on first use
}

// OnAdd registers fn to run with every namespace Add creates from now on,
// before Add returns it: what watches a whole World (a packet capture)
// follows it into new namespaces. fn must not call the World's methods.
func (w *World) OnAdd(fn func(*NS)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.added = append(w.added, fn)
}

// New creates a World with a fresh root namespace.
func New() (*World, error) {
	fd, err := netnsfd.New()
	if err != nil {
		return nil, fmt.Errorf("create root network namespace: %w", err)
	}
	return &World{root: &NS{fd: fd}, named: make(map[string]*NS)}, nil
}

// Root returns the namespace that plays the scenario's host.
func (w *World) Root() *NS { return w.root }

// ValidName reports whether name is acceptable to "ip netns add": not empty,
// not "." or "..", no "/" and no NUL, at most NAME_MAX bytes.
func ValidName(name string) bool {
	return name != "" && name != "." && name != ".." && len(name) <= 255 &&
		!strings.ContainsAny(name, "/\x00")
}

// Add creates a namespace called name.
func (w *World) Add(name string) (*NS, error) {
	if !ValidName(name) {
		return nil, fmt.Errorf("invalid namespace name %q", name)
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil, ErrClosed
	}
	gone := w.syncLocked()
	if _, ok := w.named[name]; ok {
		w.mu.Unlock()
		closeAll(gone)
		return nil, fmt.Errorf("%q: %w", name, ErrExist)
	}
	w.mu.Unlock()
	closeAll(gone)

	fd, err := netnsfd.New()
	if err != nil {
		return nil, fmt.Errorf("ip netns add %s: %w", name, err)
	}

	w.mu.Lock()
	if _, ok := w.named[name]; ok || w.closed {
		w.mu.Unlock()
		unix.Close(fd)
		if w.closed {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("%q: %w", name, ErrExist)
	}
	w.nextSq++
	ns := &NS{Name: name, fd: fd, seq: w.nextSq}
	if w.sb != nil {
		if err := w.sb.bind(ns); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("ip netns add %s: %w", name, err)
		}
	}
	w.named[name] = ns
	added := w.added
	w.mu.Unlock()
	for _, fn := range added {
		fn(ns)
	}
	return ns, nil
}

// Lookup returns the namespace called name.
func (w *World) Lookup(name string) (*NS, error) {
	w.mu.Lock()
	gone := w.syncLocked()
	ns, ok := w.named[name]
	w.mu.Unlock()
	closeAll(gone)
	if !ok {
		return nil, fmt.Errorf("%q: %w", name, ErrNotExist)
	}
	return ns, nil
}

// Delete forgets the namespace called name and closes its descriptor. The
// kernel frees it, with its links, once nothing else holds it (a process
// still running inside keeps it alive until it exits).
func (w *World) Delete(name string) error {
	w.mu.Lock()
	gone := w.syncLocked()
	ns, ok := w.named[name]
	if !ok {
		w.mu.Unlock()
		closeAll(gone)
		return fmt.Errorf("%q: %w", name, ErrNotExist)
	}
	delete(w.named, name)
	sb := w.sb
	w.mu.Unlock()
	closeAll(gone)
	var errs []error
	if sb != nil {
		errs = append(errs, sb.unbind(name))
		sb.forget(ns)
	}
	return errors.Join(append(errs, ns.close())...)
}

// All returns the root namespace, then the named ones newest first.
func (w *World) All() []*NS {
	return append([]*NS{w.root}, w.Namespaces()...)
}

// Namespaces returns the named namespaces, newest first: the order in which
// "ip netns list" shows the entries of /run/netns.
func (w *World) Namespaces() []*NS {
	w.mu.Lock()
	gone := w.syncLocked()
	defer closeAll(gone)
	defer w.mu.Unlock()
	list := make([]*NS, 0, len(w.named))
	for _, ns := range w.named {
		list = append(list, ns)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].seq > list[j].seq })
	return list
}

// Close closes every namespace of the World, newest first and the root
// last, each after running its OnClose functions. It is safe to call twice.
func (w *World) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	gone := w.syncLocked()
	w.closed = true
	list := make([]*NS, 0, len(w.named)+1)
	for name, ns := range w.named {
		list = append(list, ns)
		delete(w.named, name)
	}
	sb := w.sb
	w.mu.Unlock()
	closeAll(gone)
	sort.Slice(list, func(i, j int) bool { return list[i].seq > list[j].seq })
	all := append(list, w.root)
	var errs []error
	for _, ns := range all {
		errs = append(errs, ns.runHooks())
	}
	// What the hooks did not stop: the sandbox's PID namespace, and then
	// anything else still inside one of the World's namespaces.
	if sb != nil {
		sb.close()
	}
	if _, err := KillInNamespaces(inodes(all)); err != nil {
		errs = append(errs, err)
	}
	for _, ns := range all {
		errs = append(errs, ns.close())
	}
	return errors.Join(errs...)
}

// KillProcesses kills every process inside the World's namespaces: the
// sandbox's PID namespace, and anything else whose /proc/PID/ns/net is one
// of them. After it no real program can start in the World: it is what the
// scenario's deadline does.
func (w *World) KillProcesses() error {
	w.mu.Lock()
	sb := w.sb
	w.mu.Unlock()
	if sb != nil {
		sb.killInit()
	}
	_, err := KillInNamespaces(inodes(w.All()))
	return err
}

// inodes returns the set of the namespaces' inodes; closed ones are left out.
func inodes(list []*NS) map[uint64]bool {
	set := make(map[uint64]bool, len(list))
	for _, ns := range list {
		if ino, err := ns.Inode(); err == nil {
			set[ino] = true
		}
	}
	return set
}

// closeAll closes namespaces that sync found deleted by a real program.
func closeAll(list []*NS) {
	for _, ns := range list {
		ns.close()
	}
}

// runHooks marks the namespace closing and runs its OnClose functions,
// newest first.
func (n *NS) runHooks() error {
	n.mu.Lock()
	if n.fd < 0 || n.closing {
		n.mu.Unlock()
		return nil
	}
	n.closing = true
	hooks := n.hooks
	n.hooks = nil
	n.mu.Unlock()

	var errs []error
	for i := len(hooks) - 1; i >= 0; i-- {
		errs = append(errs, hooks[i]())
	}
	return errors.Join(errs...)
}

// close runs the OnClose functions, if runHooks has not, and closes the
// namespace's descriptor.
func (n *NS) close() error {
	errs := []error{n.runHooks()}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fd < 0 {
		return errors.Join(errs...)
	}
	n.closeNetlink()
	if err := unix.Close(n.fd); err != nil {
		errs = append(errs, fmt.Errorf("close namespace %s: %w", n.label(), err))
	}
	n.fd = -1
	return errors.Join(errs...)
}
