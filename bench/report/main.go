// Command report turns the output of the bench package's benchmarks into
// BENCHMARKS.md (ratios netscript/shell, medians of the runs, the machine)
// and an SVG plot of cost against N. "make bench" runs it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// sample is one benchmark's medians.
type sample struct{ wall, cpu, mib, balance float64 }

var line = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+(.*)$`)

// read collects each benchmark's runs and returns their medians.
func read(path string) (map[string]sample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	runs := map[string][][4]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		var v [4]float64
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			x, _ := strconv.ParseFloat(fields[i], 64)
			switch fields[i+1] {
			case "ns/op":
				v[0] = x
			case "cpu-ns/op":
				v[1] = x
			case "peak-MiB":
				v[2] = x
			case "max/mean":
				v[3] = x
			}
		}
		runs[m[1]] = append(runs[m[1]], v)
	}
	out := map[string]sample{}
	for name, rs := range runs {
		out[name] = sample{median(rs, 0), median(rs, 1), median(rs, 2), median(rs, 3)}
	}
	return out, sc.Err()
}

func median(rs [][4]float64, k int) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = r[k]
	}
	sort.Float64s(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

func machine() string {
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	kernel, _ := exec.Command("uname", "-r").Output()
	ipv, _ := exec.Command("ip", "-V").Output()
	return fmt.Sprintf("| CPU | %s |\n|---|---|\n| cores | %d |\n| kernel | %s |\n| Go | %s |\n| iproute2 | %s |\n",
		cpu, runtime.NumCPU(), strings.TrimSpace(string(kernel)), runtime.Version(), strings.TrimSpace(string(ipv)))
}

func ms(ns float64) string { return fmt.Sprintf("%.1f ms", ns/1e6) }

// perProbe is the checking time per probe: the difference of two medians,
// which noise can make negative when checking costs next to nothing; that
// is reported as such rather than as a negative time.
func perProbe(ns, probes float64) string {
	if ns <= 0 {
		return "≈0 (within noise)"
	}
	return fmt.Sprintf("%.2f ms", ns/1e6/probes)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f×", a/b)
}

// topo is a topology benchmark: its links and probes at each N.
type topo struct {
	name   string
	sizes  []int
	links  func(n int) int
	probes func(n int) int
}

var topos = []topo{
	{"Mesh", []int{4, 8, 16, 32}, func(n int) int { return n * (n - 1) / 2 }, func(n int) int { return n * (n - 1) }},
	{"Bridge", []int{4, 16, 64}, func(n int) int { return n }, func(n int) int { return n - 1 }},
}

func main() {
	in := flag.String("in", "bench/bench.out", "go test -bench output")
	md := flag.String("md", "BENCHMARKS.md", "report to write")
	svg := flag.String("svg", "bench/cost.svg", "plot to write")
	findings := flag.String("findings", "bench/findings.md", "profile findings to append")
	before := flag.String("before", "", "an earlier run's go test -bench output to compare against (skipped when the file does not exist)")
	flag.Parse()
	s, err := read(*in)
	if err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("# Benchmarks: netscript against the shell way\n\n")
	b.WriteString("Written by `make bench` (bench/report) from `go test ./bench -bench .`: every figure is the median of the runs in one `go test` run, ")
	b.WriteString("netscript and its shell twin (bench/*.sh, run in `unshare --mount --net` with a private /run) side by side. ")
	b.WriteString("Wall is elapsed time; CPU is user+sys of the test process and its children (getrusage). A ratio below 1 means netscript is cheaper.\n\n")
	b.WriteString("## Machine\n\n" + machine() + "\n")

	b.WriteString("## Tutorial and suite\n\n| workload | netscript wall | shell wall | wall ratio | netscript CPU | shell CPU | CPU ratio |\n|---|---|---|---|---|---|---|\n")
	for _, w := range []struct{ label, key string }{
		{"tutorial (scenarios/veth-pair.txtar, bench/tutorial.sh)", "Tutorial"},
		{"tutorial series (8 scenarios), 2 at a time (bench/lib.sh twins)", "Suite"},
	} {
		n, sh := s[w.key+"/netscript"], s[w.key+"/shell"]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", w.label, ms(n.wall), ms(sh.wall), ratio(n.wall, sh.wall), ms(n.cpu), ms(sh.cpu), ratio(n.cpu, sh.cpu))
	}
	if one, ok := s["Shards/1-shard"]; ok {
		b.WriteString("\n## Sharded suite: one run against two shards side by side\n\n")
		b.WriteString("Every scenario of scenarios/ as one `netscript run` (`-parallel 2`), then as `-shard 1/2` and `-shard 2/2` run at once on this machine, split by name hash or balanced by an earlier run's times (`-durations`). Balance: the slowest shard's wall time over the shards' mean.\n\n")
		b.WriteString("| workload | wall | wall against one run | CPU | balance (max/mean) |\n|---|---|---|---|---|\n")
		for _, w := range []struct{ label, key string }{
			{"one run", "Shards/1-shard"}, {"2 shards, by name hash", "Shards/2-shards-hash"}, {"2 shards, by durations", "Shards/2-shards-durations"},
		} {
			x := s[w.key]
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2f |\n", w.label, ms(x.wall), ratio(x.wall, one.wall), ms(x.cpu), x.balance)
		}
	}
	for _, t := range topos {
		fmt.Fprintf(&b, "\n## %s: built and checked (mesh: all ordered pairs; bridge: ns1 to every other)\n\n", t.name)
		b.WriteString("| N | links | probes | netscript wall | shell wall | wall ratio | netscript CPU | shell CPU | CPU ratio | netscript per link | netscript per probe¹ | shell per probe¹ | peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, n := range t.sizes {
			k := fmt.Sprintf("%s/N=%d/", t.name, n)
			ns, sh, nsSet, shSet := s[k+"netscript"], s[k+"shell"], s[k+"setup-netscript"], s[k+"setup-shell"]
			l, p := float64(t.links(n)), float64(t.probes(n))
			fmt.Fprintf(&b, "| %d | %.0f | %.0f | %s | %s | %s | %s | %s | %s | %.2f ms | %s | %s | %.1f MiB |\n", n, l, p,
				ms(ns.wall), ms(sh.wall), ratio(ns.wall, sh.wall), ms(ns.cpu), ms(sh.cpu), ratio(ns.cpu, sh.cpu),
				nsSet.wall/1e6/l, perProbe(ns.wall-nsSet.wall, p), perProbe(sh.wall-shSet.wall, p), ns.mib)
		}
		fmt.Fprintf(&b, "\n### %s: set-up only, against `ip -batch`\n\n", t.name)
		b.WriteString("| N | netscript wall | ip per command | ip -batch | netscript / ip -batch (wall) | netscript CPU | ip -batch CPU | netscript / ip -batch (CPU) |\n|---|---|---|---|---|---|---|---|\n")
		for _, n := range t.sizes {
			k := fmt.Sprintf("%s/N=%d/", t.name, n)
			ns, sh, bt := s[k+"setup-netscript"], s[k+"setup-shell"], s[k+"setup-batch"]
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, ms(ns.wall), ms(sh.wall), ms(bt.wall), ratio(ns.wall, bt.wall), ms(ns.cpu), ms(bt.cpu), ratio(ns.cpu, bt.cpu))
		}
	}
	if *before != "" {
		old, err := read(*before)
		switch {
		case err == nil:
			b.WriteString(compare(old, s))
		case !os.IsNotExist(err):
			log.Fatal(err)
		}
	}
	b.WriteString("\n¹ per probe: (built and checked − set-up only) / ordered pairs; netscript probes concurrently, the shell one `ip netns exec … ping` after another.\n\n")
	fmt.Fprintf(&b, "## Cost against N\n\n![wall time against N, log scale](%s)\n\n", strings.TrimPrefix(*svg, "./"))
	if data, err := os.ReadFile(*findings); err == nil {
		b.Write(data)
	}
	if err := os.WriteFile(*md, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*svg, []byte(plot(s)), 0o644); err != nil {
		log.Fatal(err)
	}
}

// worse is how much slower a netscript figure may get from one run to the
// next before the comparison flags it (the project's rule: 10%).
const worse = 1.10

// compare is the section that sets netscript's figures (not the shell
// twins', which measure the machine) against an earlier run's, flagging
// every one that got worse by more than 10%.
func compare(old, now map[string]sample) string {
	var names []string
	for name := range now {
		if _, ok := old[name]; ok && !strings.HasSuffix(name, "shell") && !strings.HasSuffix(name, "batch") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("\n## Against the previous run\n\n")
	b.WriteString("netscript's medians in this run against the run before it (`make bench` keeps the earlier output as bench/bench.before.out). ")
	b.WriteString("A figure more than 10% worse is marked **worse**; figures under 20 ms move by more than that with the machine's noise alone.\n\n")
	b.WriteString("| benchmark | wall before | wall now | change | CPU before | CPU now | change |\n|---|---|---|---|---|---|---|\n")
	flagged := 0
	for _, name := range names {
		o, n := old[name], now[name]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", name,
			ms(o.wall), ms(n.wall), change(o.wall, n.wall, &flagged), ms(o.cpu), ms(n.cpu), change(o.cpu, n.cpu, &flagged))
	}
	fmt.Fprintf(&b, "\n%d of %d figures got worse by more than 10%%.\n", flagged, 2*len(names))
	return b.String()
}

// change is the relative change from a to b, marked when b is worse than
// a by more than 10%; it counts the marks in flagged.
func change(a, b float64, flagged *int) string {
	if a == 0 {
		return "–"
	}
	s := fmt.Sprintf("%+.1f%%", (b/a-1)*100)
	if b > a*worse {
		*flagged++
		s = "**worse** " + s
	}
	return s
}
