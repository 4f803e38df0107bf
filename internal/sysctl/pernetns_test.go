package sysctl

import (
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/netscript/netscript/internal/world"
)

// netKeys lists the sysctl files under /proc/sys/net as the calling thread
// sees them, relative to /proc/sys, with their permission bits.
func netKeys(t *testing.T) map[string]fs.FileMode {
	t.Helper()
	keys := map[string]fs.FileMode{}
	err := filepath.WalkDir(procPath+"net", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		keys[strings.TrimPrefix(p, procPath)] = info.Mode().Perm()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// perDevice matches the keys of a device's own directories, which exist in
// the namespace that holds the device.
func perDevice(rel string) bool {
	return matchAny([]string{"net/ipv4/conf/*/*", "net/ipv6/conf/*/*", "net/ipv4/neigh/*/*", "net/ipv6/neigh/*/*"}, rel) &&
		!matchAny([]string{"net/ipv4/neigh/default/*", "net/ipv6/neigh/default/*"}, rel)
}

// TestAllowlistMatchesKernel checks the allowlist against the running
// kernel: every key a fresh network namespace may write is in it, except the
// ones known to reach global state; every key only the host's namespace has
// (the init_net-only tables) is refused by name.
func TestAllowlistMatchesKernel(t *testing.T) {
	requireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var inNS map[string]fs.FileMode
	if err := w.Root().Do(func() error { inNS = netKeys(t); return nil }); err != nil {
		t.Fatal(err)
	}
	for rel, perm := range inNS {
		switch {
		case perm&0o200 == 0:
			continue // read-only here: sysctl never writes it
		case matchAny(notPerNetns, rel):
			if writable(rel) || !knownGlobal(rel) {
				t.Errorf("%s: global, yet not refused", rel)
			}
		case !writable(rel):
			t.Errorf("%s: writable in a namespace of its own, but not in the allowlist", rel)
		}
	}

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if here, err := netnsID("/proc/thread-self/ns/net"); err != nil || here != hostNetns {
		t.Fatalf("test thread is not in the host's namespace (%v)", err)
	}
	for rel := range netKeys(t) {
		if _, ok := inNS[rel]; ok || perDevice(rel) {
			continue
		}
		if !knownGlobal(rel) {
			t.Errorf("%s: only the host's namespace has it, but it is not refused by name", rel)
		}
	}
}

// TestRefusedWhenFound checks the check made before writing, for a key
// outside the allowlist that is not known by name: the whole command is
// refused and nothing is written, not even the keys before it.
func TestRefusedWhenFound(t *testing.T) {
	requireRoot(t)
	saved := perNetns
	defer func() { perNetns = saved }()
	perNetns = nil
	for _, p := range saved {
		if p != "net/ipv4/conf/*/*" {
			perNetns = append(perNetns, p)
		}
	}
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ns := w.Root()
	got := runOurs(t, w, ns, []string{"-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.forwarding=1", "net.ipv4.conf.nope.x=1"})
	want := "sysctl: netscript refuses to write net.ipv4.conf.all.forwarding: it is not kept per network namespace"
	if got.Code != 1 || got.Stdout != "" || !strings.HasPrefix(got.Stderr, want) {
		t.Errorf("got %s", got)
	}
	if got := runOurs(t, w, ns, []string{"-n", "net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"}); got.Stdout != "0\n0\n" {
		t.Errorf("something was written: %s", got)
	}
	// A key outside the allowlist that does not exist gets sysctl's message.
	got = runOurs(t, w, ns, []string{"-w", "net.ipv4.conf.nope.x=1"})
	if got.Code != 1 || got.Stderr != "sysctl: cannot stat /proc/sys/net/ipv4/conf/nope/x: No such file or directory\n" {
		t.Errorf("got %s", got)
	}
}
