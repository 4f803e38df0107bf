package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cli"
	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// require skips b unless it runs as root with the real tools installed.
func require(b *testing.B) {
	b.Helper()
	privilege.Require(b)
	for _, tool := range []string{"unshare", "bash", "ip", "ping", "route"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is not installed: no shell twin to compare with", tool)
		}
	}
}

// cpuTime returns the user+sys time of this process and of its waited-for
// children so far.
func cpuTime() time.Duration {
	var self, children unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &self)
	unix.Getrusage(unix.RUSAGE_CHILDREN, &children)
	tv := func(t unix.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}

// peakRSS returns the process's resident set high-water mark since the
// last resetPeakRSS, in bytes.
func peakRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// measure runs fn b.N times and reports its CPU time per run besides the
// wall time the testing package reports; units are extra metrics the
// report divides by (links, probes).
func measure(b *testing.B, fn func() error, rss bool) {
	b.Helper()
	if err := fn(); err != nil { // warm up, and fail early
		b.Fatal(err)
	}
	if rss {
		resetPeakRSS()
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	if rss {
		b.ReportMetric(peakRSS()/(1<<20), "peak-MiB")
	}
}

// sandbox runs a shell twin in a private mount and network namespace with
// a tmpfs on /run, so "ip netns add" pins nothing on the host.
func sandbox(script string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	argv := append([]string{"--mount", "--net", "--propagation", "private", "bash", "-c",
		`mount -t tmpfs netscript-bench /run || exit 99; exec bash "$0" "$@"`, script}, args...)
	cmd := exec.CommandContext(ctx, "unshare", argv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out.String())
	}
	return nil
}

// builtins runs command lines through netscript's command table in a new
// World, as the runner does for a scenario's lines, and closes the World.
func builtins(lines [][]string) error {
	w, err := world.New()
	if err != nil {
		return err
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	table := commands.Table()
	for _, argv := range lines {
		var stderr strings.Builder
		s := &script.State{Ctx: ctx, World: w, NS: w.Root(), Stdout: io.Discard, Stderr: &stderr}
		if err := table.Run(s, argv); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
		}
	}
	return nil
}

// lines splits command lines written one a line, as a scenario's.
func lines(text string) [][]string {
	sc, err := scenariofile.Parse([]byte(text))
	if err != nil {
		panic(err) // the benchmarks' own text
	}
	var out [][]string
	for _, l := range sc.Lines {
		out = append(out, l.Args)
	}
	return out
}

// mesh returns mesh.sh's commands for N namespaces: set-up, and the check.
func mesh(n int) (setup, check [][]string) {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ip netns add ns%d\n", i)
	}
	for i := 1; i <= n; i++ {
		for j := i + 1; j <= n; j++ {
			fmt.Fprintf(&b, "ip -n ns%d link add v%d-%d type veth peer name v%d-%d netns ns%d\n", i, i, j, j, i, j)
		}
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ip -n ns%d addr add 10.0.0.%d/32 dev lo\nip -n ns%d link set lo up\n", i, i, i)
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= n; j++ {
			if i != j {
				fmt.Fprintf(&b, "ip -n ns%d link set v%d-%d up\n", i, i, j)
			}
		}
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= n; j++ {
			if i != j {
				fmt.Fprintf(&b, "ip -n ns%d route add 10.0.0.%d dev v%d-%d\n", i, j, i, j)
			}
		}
	}
	return lines(b.String()), reachAll(n)
}

// bridge returns bridge.sh's commands for N namespaces.
func bridge(n int) (setup, check [][]string) {
	var b strings.Builder
	b.WriteString("ip netns add br\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ip netns add ns%d\n", i)
	}
	b.WriteString("ip -n br link add br0 type bridge\nip -n br link set br0 up\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ip -n br link add p%d type veth peer name v%d netns ns%d\n", i, i, i)
		fmt.Fprintf(&b, "ip -n br link set p%d master br0\nip -n br link set p%d up\n", i, i)
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "ip -n ns%d addr add 10.0.0.%d/24 dev v%d\nip -n ns%d link set v%d up\n", i, i, i, i, i)
	}
	// From ns1 to every other namespace: the kernel's ARP table is shared
	// by all namespaces (gc_thresh3 = 1024 entries by default), so all
	// N(N-1) pairs of a 64-bridge (4032) overflow it, on both sides.
	check = [][]string{{"reach", "ns1"}}
	for i := 2; i <= n; i++ {
		check[0] = append(check[0], fmt.Sprintf("10.0.0.%d", i))
	}
	return lines(b.String()), check
}

// reachAll is the all-pairs check of ns1..nsN, with reach's default
// timeout of 2 s, as the shell twins' ping -w 2.
func reachAll(n int) [][]string {
	argv := []string{"reach"}
	for i := 1; i <= n; i++ {
		argv = append(argv, fmt.Sprintf("ns%d", i))
	}
	return [][]string{argv}
}

// topology benchmarks one topology at each size: built and checked, and
// set up only against ip -batch.
func topology(b *testing.B, name string, gen func(int) ([][]string, [][]string), sizes []int) {
	require(b)
	for _, n := range sizes {
		setup, check := gen(n)
		all := append(append([][]string{}, setup...), check...)
		sh := "./" + name + ".sh"
		arg := strconv.Itoa(n)
		b.Run(fmt.Sprintf("N=%d/netscript", n), func(b *testing.B) {
			measure(b, func() error { return builtins(all) }, true)
		})
		b.Run(fmt.Sprintf("N=%d/shell", n), func(b *testing.B) {
			measure(b, func() error { return sandbox(sh, arg, "all") }, false)
		})
		b.Run(fmt.Sprintf("N=%d/setup-netscript", n), func(b *testing.B) {
			measure(b, func() error { return builtins(setup) }, false)
		})
		b.Run(fmt.Sprintf("N=%d/setup-shell", n), func(b *testing.B) {
			measure(b, func() error { return sandbox(sh, arg, "setup") }, false)
		})
		b.Run(fmt.Sprintf("N=%d/setup-batch", n), func(b *testing.B) {
			measure(b, func() error { return sandbox(sh, arg, "batch") }, false)
		})
	}
}

// BenchmarkMesh: a full mesh of N namespaces, N(N-1)/2 veth pairs, built
// and checked over all N(N-1) ordered pairs.
func BenchmarkMesh(b *testing.B) { topology(b, "mesh", mesh, []int{4, 8, 16, 32}) }

// BenchmarkBridge: N namespaces on one bridge, N veth pairs, checked from
// ns1 to the N-1 others.
func BenchmarkBridge(b *testing.B) { topology(b, "bridge", bridge, []int{4, 16, 64}) }

// BenchmarkTutorial: scenarios/veth-pair.txtar end to end through the
// netscript command, against tutorial.sh.
func BenchmarkTutorial(b *testing.B) {
	require(b)
	b.Run("netscript", func(b *testing.B) {
		measure(b, func() error { return netscript("run", "../scenarios/veth-pair.txtar") }, false)
	})
	b.Run("shell", func(b *testing.B) {
		measure(b, func() error { return sandbox("./tutorial.sh") }, false)
	})
}

// netscript runs the netscript command in-process.
func netscript(args ...string) error {
	var out bytes.Buffer
	if code := cli.Main(args, &out, &out); code != 0 {
		return fmt.Errorf("netscript %s: exit %d\n%s", strings.Join(args, " "), code, out.String())
	}
	return nil
}
