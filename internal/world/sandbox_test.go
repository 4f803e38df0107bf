package world

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// realIn runs a real program in ns through the World's sandbox and returns
// its combined output.
func realIn(t *testing.T, w *World, ns *NS, argv ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := w.Sandbox(ns, func() error {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = &out, &out
		return cmd.Run()
	})
	return out.String(), err
}

func needTool(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

// uniqueName is a namespace name no other test (nor the host) uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%d-%x", prefix, os.Getpid(), rand.Uint32())
}

// onHost reports whether the host's /run/netns has name.
func onHost(name string) bool {
	_, err := os.Lstat("/run/netns/" + name)
	return err == nil
}

// TestSandboxNetnsNames checks that real programs see exactly the World's
// namespaces under /run/netns, kept in step with Add and Delete, and that
// the host sees none of them.
func TestSandboxNetnsNames(t *testing.T) {
	needTool(t, "ip")
	w := newWorld(t)
	a, b := uniqueName("a"), uniqueName("b")
	addNS(t, w, a)
	out, err := realIn(t, w, w.Root(), "ip", "netns", "list")
	if err != nil || strings.TrimSpace(out) != a {
		t.Fatalf("ip netns list = %q, %v; want %s", out, err, a)
	}
	addNS(t, w, b)
	out, err = realIn(t, w, w.Root(), "ip", "netns", "list")
	if err != nil || out != b+"\n"+a+"\n" {
		t.Fatalf("ip netns list = %q, %v; want %s then %s", out, err, b, a)
	}
	if err := w.Delete(a); err != nil {
		t.Fatal(err)
	}
	out, err = realIn(t, w, w.Root(), "ip", "netns", "list")
	if err != nil || strings.TrimSpace(out) != b {
		t.Fatalf("after delete, ip netns list = %q, %v; want %s", out, err, b)
	}
	if onHost(a) || onHost(b) {
		t.Fatal("a World's namespace appeared under the host's /run/netns")
	}
}

// TestSandboxRealAdd checks that a namespace a real "ip netns add" makes in
// the sandbox joins the World and stays off the host, and that a real
// "ip netns del" makes the World forget it.
func TestSandboxRealAdd(t *testing.T) {
	needTool(t, "ip")
	w := newWorld(t)
	x := uniqueName("x")
	if out, err := realIn(t, w, w.Root(), "ip", "netns", "add", x); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	if onHost(x) {
		t.Fatal("a real ip netns add in the sandbox pinned a namespace on the host")
	}
	ns, err := w.Lookup(x)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := realIn(t, w, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"); err != nil {
		t.Fatalf("ip link add: %v: %s", err, out)
	}
	out, err := realIn(t, w, w.Root(), "ip", "-n", x, "-br", "link", "show", "v0")
	if err != nil || !strings.HasPrefix(out, "v0@v1") {
		t.Fatalf("ip -n %s link show v0 = %q, %v", x, out, err)
	}
	if out, err := realIn(t, w, w.Root(), "ip", "netns", "del", x); err != nil {
		t.Fatalf("ip netns del: %v: %s", err, out)
	}
	if _, err := w.Lookup(x); err == nil {
		t.Fatal("the World still has a namespace a real ip netns del removed")
	}
}

// TestSandboxSys checks that /sys shows the namespace's own links, as
// under the real ip netns exec.
func TestSandboxSys(t *testing.T) {
	needTool(t, "ls")
	w := newWorld(t)
	ns := addNS(t, w, uniqueName("s"))[0]
	out, err := realIn(t, w, ns, "ls", "/sys/class/net")
	if err != nil || out != "lo\n" {
		t.Fatalf("ls /sys/class/net = %q, %v; want only lo", out, err)
	}
}

// TestSandboxEtcNetns checks that a program in namespace NAME sees the
// files of /etc/netns/NAME over their namesakes in /etc, as under the real
// ip netns exec, and that a program in another namespace, or the host,
// does not.
func TestSandboxEtcNetns(t *testing.T) {
	needTool(t, "cat")
	w := newWorld(t)
	name := uniqueName("etc")
	dir := "/etc/netns/" + name // this test's own: no one else uses the name
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	want := "10.9.9.9 only-in-" + name + "\n"
	if err := os.WriteFile(dir+"/hosts", []byte(want), 0o644); err != nil {
		t.Fatal(err)
	}
	nss := addNS(t, w, name, uniqueName("other"))
	if out, err := realIn(t, w, nss[0], "cat", "/etc/hosts"); err != nil || out != want {
		t.Errorf("cat /etc/hosts in %s = %q, %v; want %q", name, out, err, want)
	}
	for _, ns := range []*NS{nss[1], w.Root()} {
		if out, err := realIn(t, w, ns, "cat", "/etc/hosts"); err != nil || strings.Contains(out, "only-in-") {
			t.Errorf("cat /etc/hosts in %s = %q, %v; want the host's file", ns.Label(), out, err)
		}
	}
	if data, _ := os.ReadFile("/etc/hosts"); strings.Contains(string(data), "only-in-") {
		t.Error("the host's /etc/hosts changed")
	}
}

// TestSandboxKillsDaemons checks that processes that left their parent
// behind (setsid, a shell's background job, a double fork) are gone when
// the World closes.
func TestSandboxKillsDaemons(t *testing.T) {
	needTool(t, "sh", "setsid", "sleep")
	w, err := New()
	if err != nil {
		t.Skip(err)
	}
	defer w.Close()
	ns := addNS(t, w, uniqueName("d"))[0]
	for _, argv := range [][]string{
		{"setsid", "-f", "sleep", "1000"},
		{"sh", "-c", "sleep 1001 &"},
		{"sh", "-c", "(sh -c 'sleep 1002 &' &)"},
	} {
		// Output to /dev/null: a daemon would hold a pipe open.
		err := w.Sandbox(ns, exec.Command(argv[0], argv[1:]...).Run)
		if err != nil {
			t.Fatalf("%q: %v", argv, err)
		}
	}
	ino, err := ns.Inode()
	if err != nil {
		t.Fatal(err)
	}
	set := map[uint64]bool{ino: true}
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids, err := processesIn(set, os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d daemons running, want 3", len(pids))
		}
		time.Sleep(time.Millisecond)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if pids, _ := processesIn(set, os.Getpid()); len(pids) != 0 {
		t.Fatalf("processes %v outlived the World", pids)
	}
}
