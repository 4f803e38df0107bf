package world

import (
	"errors"
	"os"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/privilege"
)

func newWorld(t *testing.T) *World {
	t.Helper()
	privilege.Require(t)
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// addNS adds one namespace per name to w, failing the test on an error.
func addNS(t *testing.T, w *World, names ...string) []*NS {
	t.Helper()
	var list []*NS
	for _, name := range names {
		ns, err := w.Add(name)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, ns)
	}
	return list
}

// inode returns the inode of the calling thread's network namespace.
func threadNetns(t *testing.T) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

func TestDoRunsInsideAndReturns(t *testing.T) {
	w := newWorld(t)
	ns, err := w.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ns.Inode()
	if err != nil {
		t.Fatal(err)
	}
	var got uint64
	if err := ns.Do(func() error { got = threadNetns(t); return nil }); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Do ran in namespace %d, want %d", got, want)
	}
	root, _ := w.Root().Inode()
	if root == want {
		t.Error("named namespace is the root namespace")
	}
	if errFn := errors.New("boom"); !errors.Is(ns.Do(func() error { return errFn }), errFn) {
		t.Error("Do did not return fn's error")
	}
}

func TestNamesAndErrors(t *testing.T) {
	w := newWorld(t)
	for _, name := range []string{"ns0", "ns1", "ns2"} {
		if _, err := w.Add(name); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		err  error
		do   func() error
	}{
		{"duplicate", ErrExist, func() error { _, err := w.Add("ns1"); return err }},
		{"lookup missing", ErrNotExist, func() error { _, err := w.Lookup("nope"); return err }},
		{"delete missing", ErrNotExist, func() error { return w.Delete("nope") }},
	}
	for _, tt := range tests {
		if err := tt.do(); !errors.Is(err, tt.err) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "x\x00"} {
		if _, err := w.Add(bad); err == nil {
			t.Errorf("Add(%q) succeeded", bad)
		}
	}
	var names []string
	for _, ns := range w.Namespaces() {
		names = append(names, ns.Name)
	}
	if got, want := len(names), 3; got != want || names[0] != "ns2" || names[2] != "ns0" {
		t.Errorf("Namespaces() = %v, want newest first [ns2 ns1 ns0]", names)
	}
	ns1, _ := w.Lookup("ns1")
	if err := w.Delete("ns1"); err != nil {
		t.Fatal(err)
	}
	if err := ns1.Do(func() error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("Do on a deleted namespace: %v, want ErrClosed", err)
	}
	if _, err := w.Add("ns1"); err != nil {
		t.Errorf("re-adding a deleted name: %v", err)
	}
}

func TestCloseReleasesEverything(t *testing.T) {
	w := newWorld(t)
	ns, _ := w.Add("a")
	fds := []int{w.Root().Fd(), ns.Fd()}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			// The number may have been reused by another test's descriptor;
			// only a namespace descriptor would be ours.
			if target, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); len(target) > 4 && target[:4] == "net:" {
				t.Errorf("descriptor %d still open on %s after Close", fd, target)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := w.Add("b"); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}
}

// TestConcurrentUse adds, enters and deletes namespaces from many
// goroutines at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "n" + strconv.Itoa(i)
			ns, err := w.Add(name)
			if err != nil {
				t.Error(err)
				return
			}
			want, _ := ns.Inode()
			for j := 0; j < 10; j++ {
				var got uint64
				if err := ns.Do(func() error { got = threadNetns(t); return nil }); err != nil {
					t.Error(err)
					return
				}
				if got != want {
					t.Errorf("%s: Do ran in %d, want %d", name, got, want)
				}
			}
			if i%2 == 0 {
				if err := w.Delete(name); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if got := len(w.Namespaces()); got != 8 {
		t.Errorf("%d namespaces left, want 8", got)
	}
}
