package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// textReporter prints a line per scenario and a summary; on a terminal it
// keeps a progress line at the bottom.
type textReporter struct {
	mu      sync.Mutex
	w       io.Writer
	verbose bool
	tty     bool
	total   int
	done    int
	running map[string]time.Time // scenario name -> when it started
	now     func() time.Time     // the clock: time.Now but in tests
	stop    chan struct{}
}

func newTextReporter(w io.Writer, verbose bool, total int) *textReporter {
	r := &textReporter{w: w, verbose: verbose, tty: isTerminal(w), total: total, running: make(map[string]time.Time), now: time.Now}
	if r.tty {
		r.stop = make(chan struct{})
		go r.tick()
	}
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// tick refreshes the progress line while scenarios run.
func (r *textReporter) tick() {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.mu.Lock()
			r.progress()
			r.mu.Unlock()
		}
	}
}

// progress redraws the progress line; r.mu is held.
func (r *textReporter) progress() {
	if !r.tty {
		return
	}
	names := make([]string, 0, len(r.running))
	for n := range r.running {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names { // the longest-running scenario is the one to watch
		names[i] = fmt.Sprintf("%s (%.0fs)", n, r.now().Sub(r.running[n]).Seconds())
	}
	line := fmt.Sprintf("[%d/%d] running %s", r.done, r.total, strings.Join(names, ", "))
	if len(names) == 0 {
		line = fmt.Sprintf("[%d/%d]", r.done, r.total)
	}
	if len(line) > 100 {
		line = line[:97] + "..."
	}
	fmt.Fprintf(r.w, "\r\033[K%s", line)
}

func (r *textReporter) clearProgress() {
	if r.tty {
		fmt.Fprint(r.w, "\r\033[K")
	}
}

func (r *textReporter) started(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running[name] = r.now()
	r.progress()
}

func (r *textReporter) ended(res *result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, res.name)
	r.done++
	r.clearProgress()
	fmt.Fprintf(r.w, "--- %s: %s (%.2fs)\n", strings.ToUpper(string(res.status)), res.name, res.elapsed.Seconds())
	if res.status != passed || r.verbose {
		fmt.Fprint(r.w, indent(res.log))
	}
	r.progress()
}

func (r *textReporter) finished(sum summary) {
	if r.stop != nil {
		close(r.stop)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clearProgress()
	fmt.Fprint(r.w, summaryText(sum))
}

// summaryText is the end of a run's report: the counts, and after a signal
// the scenarios it interrupted and those it kept from starting.
func summaryText(sum summary) string {
	n := count(sum.results)
	var b strings.Builder
	if sum.signal != "" {
		fmt.Fprintf(&b, "interrupted by %s", sum.signal)
		if n[interrupted] > 0 {
			fmt.Fprintf(&b, " while running: %s", names(sum.results, interrupted))
		}
		if n[notRun] > 0 {
			fmt.Fprintf(&b, "; not started: %s", names(sum.results, notRun))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%d passed, %d failed, %d skipped", n[passed], n[failed], n[skipped])
	if sum.signal != "" {
		fmt.Fprintf(&b, ", %d interrupted, %d not run", n[interrupted], n[notRun])
	}
	fmt.Fprintf(&b, " in %.1fs\n", sum.elapsed.Seconds())
	return b.String()
}

// names lists the names of the results of status st.
func names(results []*result, st status) string {
	var list []string
	for _, r := range results {
		if r.status == st {
			list = append(list, r.name)
		}
	}
	return strings.Join(list, ", ")
}

func count(results []*result) map[status]int {
	n := make(map[status]int)
	for _, r := range results {
		n[r.status]++
	}
	return n
}

func indent(log string) string {
	log = strings.TrimRight(log, "\n")
	if log == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(log, "\n", "\n    ") + "\n"
}

// jsonReporter prints one event per line, shaped like go test -json's
// (Time, Action, Package, Test, Elapsed, Output), so tools that read
// go test's stream read netscript's.
type jsonReporter struct {
	mu  sync.Mutex
	enc *json.Encoder
}

type event struct {
	Time    time.Time `json:",omitempty"`
	Action  string
	Package string   `json:",omitempty"`
	Test    string   `json:",omitempty"`
	Elapsed *float64 `json:",omitempty"`
	Output  string   `json:",omitempty"`
	File    string   `json:",omitempty"` // the scenario's file, on its last event
}

const jsonPackage = "netscript"

func newJSONReporter(w io.Writer) *jsonReporter {
	r := &jsonReporter{enc: json.NewEncoder(w)}
	r.emit(event{Action: "start", Package: jsonPackage})
	return r
}

func (r *jsonReporter) emit(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.Time = time.Now()
	r.enc.Encode(e)
}

func (r *jsonReporter) started(name string) {
	r.emit(event{Action: "run", Package: jsonPackage, Test: name})
}

func (r *jsonReporter) ended(res *result) {
	for _, line := range strings.SplitAfter(res.log, "\n") {
		if line != "" {
			r.emit(event{Action: "output", Package: jsonPackage, Test: res.name, Output: line})
		}
	}
	secs := res.elapsed.Seconds()
	action := string(res.status)
	if res.status == interrupted { // go test's word for a test a signal cut short
		action = string(failed)
	}
	r.emit(event{Action: action, Package: jsonPackage, Test: res.name, Elapsed: &secs, File: res.file})
}

func (r *jsonReporter) finished(sum summary) {
	n := count(sum.results)
	action := "pass"
	if n[failed] > 0 || sum.signal != "" {
		action = "fail"
	}
	secs := sum.elapsed.Seconds()
	for _, line := range strings.SplitAfter(summaryText(sum), "\n") {
		if line != "" {
			r.emit(event{Action: "output", Package: jsonPackage, Output: line})
		}
	}
	r.emit(event{Action: action, Package: jsonPackage, Elapsed: &secs})
}

// The JUnit XML that CI systems read (Jenkins, GitLab, GitHub actions):
// testsuites > testsuite > testcase, with failure and skipped children.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes the report. A scenario a signal interrupted is an
// error; one it kept from starting is skipped, with a message that says so.
func writeJUnit(path string, sum summary) error {
	results, elapsed := sum.results, sum.elapsed
	n := count(results)
	suite := junitSuite{
		Name: jsonPackage, Tests: len(results), Failures: n[failed], Errors: n[interrupted], Skipped: n[skipped] + n[notRun],
		Time: seconds(elapsed), Timestamp: time.Now().Add(-elapsed).UTC().Format("2006-01-02T15:04:05"),
	}
	for _, r := range results {
		c := junitCase{Name: r.name, Classname: jsonPackage, File: r.file, Time: seconds(r.elapsed)}
		switch r.status {
		case failed:
			c.Failure = &junitMessage{Message: firstFailure(r.log), Type: "failure", Text: r.log}
		case interrupted:
			c.Error = &junitMessage{Message: "interrupted by " + sum.signal, Type: "interrupted", Text: r.log}
		case notRun:
			c.Skipped = &junitMessage{Message: "not run: the run was interrupted by " + sum.signal}
		case skipped:
			c.Skipped = &junitMessage{Message: strings.TrimSpace(r.log)}
		default:
			c.SystemOut = r.log
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: jsonPackage, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Skipped: suite.Skipped,
		Time: suite.Time, Suites: []junitSuite{suite}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	data := append([]byte(xml.Header), out...)
	data = append(data, '\n')
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("junit report: %w", err)
	}
	return nil
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// firstFailure returns the log's first "FAIL: file:line: ..." line.
func firstFailure(log string) string {
	for _, line := range strings.Split(log, "\n") {
		if i := strings.Index(line, "FAIL: "); i >= 0 {
			return strings.TrimSpace(line[i:])
		}
	}
	return "scenario failed"
}
