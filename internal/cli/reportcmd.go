package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

var reportCmd = &subcommand{
	name:    "report",
	args:    "[-junit FILE] [-html DIR] [-summary] FILE.json...",
	summary: "merge the -json streams of sharded runs into one report",
	detail: `Report reads the event streams that "netscript run -json" printed (one per
shard, or any number of runs of disjoint scenario sets) and merges them
into one report of every scenario.

Flags:
	-junit FILE   write a JUnit XML report of all the scenarios to FILE
	-html DIR     write a self-contained HTML report into DIR (index.html);
	              passing scenarios show their commands if the runs had -v
	-summary      print a line per scenario, the log of each failure, and the
	              totals with the shards' times (the default without -junit
	              and -html)

A scenario a stream started but never ended (its shard was killed) counts
as failed. Lines that are not JSON objects (stderr merged into a log) are
skipped, and counted on stderr. Exit status: 0 if every scenario passed (or was skipped), 1 if
one failed, 2 for usage errors and unreadable streams.`,
	run: reportMain,
}

// stream is one -json stream's totals.
type stream struct {
	path    string
	elapsed time.Duration // the run's wall time, from its last event
	other   int           // lines that are not events (a pod log's stderr)
}

// mergedReport is every scenario of several streams.
type mergedReport struct {
	results []*result
	streams []stream
}

func reportMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("netscript report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	junit := fs.String("junit", "", "write a JUnit XML report to `file`")
	html := fs.String("html", "", "write an HTML report into `dir`")
	printSummary := fs.Bool("summary", false, "print the scenarios and the totals")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netscript report [-junit FILE] [-html DIR] [-summary] FILE.json...\nRun 'netscript help report' for details.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	rep, err := readReports(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "netscript report: %v\n", err)
		return exitUsage
	}
	for _, s := range rep.streams {
		if s.other > 0 {
			fmt.Fprintf(stderr, "netscript report: %s: skipped %d line(s) that are not JSON events\n", s.path, s.other)
		}
	}
	if *junit != "" {
		if err := writeJUnit(*junit, summary{results: rep.results, elapsed: rep.wall()}); err != nil {
			fmt.Fprintf(stderr, "netscript report: %v\n", err)
			return exitUsage
		}
	}
	if *html != "" {
		if err := writeHTML(*html, rep.results, rep.wall()); err != nil {
			fmt.Fprintf(stderr, "netscript report: %v\n", err)
			return exitUsage
		}
	}
	if *printSummary || (*junit == "" && *html == "") {
		rep.printSummary(stdout)
	}
	for _, r := range rep.results {
		if r.status == failed {
			return exitFailed
		}
	}
	return exitOK
}

// wall is the longest stream's time: the merged run's, its shards side by
// side.
func (m *mergedReport) wall() time.Duration {
	var w time.Duration
	for _, s := range m.streams {
		w = max(w, s.elapsed)
	}
	return w
}

func (m *mergedReport) printSummary(w io.Writer) {
	for _, r := range m.results {
		fmt.Fprintf(w, "--- %s: %s (%.2fs)\n", strings.ToUpper(string(r.status)), r.name, r.elapsed.Seconds())
		if r.status == failed {
			fmt.Fprint(w, indent(r.log))
		}
	}
	n := count(m.results)
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", n[passed], n[failed], n[skipped])
	var sum time.Duration
	for _, s := range m.streams {
		sum += s.elapsed
		fmt.Fprintf(w, "  %s: %.1fs\n", s.path, s.elapsed.Seconds())
	}
	mean := sum / time.Duration(len(m.streams))
	fmt.Fprintf(w, "%d stream(s): slowest %.1fs, mean %.1fs (max/mean %.2f)\n",
		len(m.streams), m.wall().Seconds(), mean.Seconds(), ratio(m.wall(), mean))
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// readReports reads and merges -json streams. A scenario started but not
// ended counts as failed.
func readReports(paths []string) (*mergedReport, error) {
	m := &mergedReport{}
	for _, path := range paths {
		if err := m.read(path); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(m.results, func(i, j int) bool { return m.results[i].name < m.results[j].name })
	return m, nil
}

func (m *mergedReport) read(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st := stream{path: path}
	open := make(map[string]*result) // started, not ended
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	var first, last time.Time
	events := 0
	for line := 1; sc.Scan(); line++ {
		if text := strings.TrimSpace(sc.Text()); text == "" {
			continue
		} else if !strings.HasPrefix(text, "{") {
			// Logs that merge stderr into the stream (kubectl logs)
			// hold netscript's own messages too.
			st.other++
			continue
		}
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return fmt.Errorf("%s:%d: not an event of netscript run -json: %v", path, line, err)
		}
		if e.Package != jsonPackage {
			return fmt.Errorf("%s:%d: an event of package %q, not of netscript run -json", path, line, e.Package)
		}
		events++
		if first.IsZero() {
			first = e.Time
		}
		last = e.Time
		if e.Test == "" {
			if e.Elapsed != nil && (e.Action == "pass" || e.Action == "fail") {
				st.elapsed = secondsDuration(*e.Elapsed)
			}
			continue
		}
		r := open[e.Test]
		if r == nil && e.Action != "run" {
			// netscript prints a scenario's output when it ends, after
			// its "run" event; a stream cut by hand may lack that.
			r = &result{name: e.Test}
			open[e.Test] = r
			order = append(order, e.Test)
		}
		switch e.Action {
		case "run":
			if r != nil {
				return fmt.Errorf("%s:%d: scenario %s started twice", path, line, e.Test)
			}
			open[e.Test] = &result{name: e.Test}
			order = append(order, e.Test)
		case "output":
			r.log += e.Output
		case "pass", "fail", "skip":
			r.status = status(e.Action)
			r.file = e.File
			if e.Elapsed != nil {
				r.elapsed = secondsDuration(*e.Elapsed)
			}
			m.results = append(m.results, r)
			delete(open, e.Test)
		default:
			return fmt.Errorf("%s:%d: unknown action %q", path, line, e.Action)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if events == 0 {
		return fmt.Errorf("%s: no event of netscript run -json", path)
	}
	for _, name := range order {
		if r, ok := open[name]; ok {
			r.status = failed
			r.log += "netscript report: the stream ended before this scenario did (was its run killed?)\n"
			m.results = append(m.results, r)
		}
	}
	if st.elapsed == 0 && !first.IsZero() {
		st.elapsed = last.Sub(first) // a stream without its final event
	}
	m.streams = append(m.streams, st)
	return nil
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
