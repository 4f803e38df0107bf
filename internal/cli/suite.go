package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/workroot"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/runner"
)

var runtimeNumCPU = runtime.NumCPU

// status is how a scenario ended.
type status string

const (
	passed      status = "pass"
	failed      status = "fail"
	skipped     status = "skip"
	interrupted status = "interrupted" // running when a signal stopped the run
	notRun      status = "not run"     // not started when a signal stopped the run
)

// result is one scenario's outcome.
type result struct {
	name    string
	file    string
	status  status
	elapsed time.Duration
	log     string
}

// summary is how a whole run ended.
type summary struct {
	results []*result // sorted by name
	elapsed time.Duration
	signal  string // the signal that stopped the run ("SIGINT"), or ""
}

// reporter shows a run as it happens.
type reporter interface {
	started(name string)
	ended(r *result)
	finished(sum summary)
}

// suite runs scenarios through testscript with a testscript.T of its own,
// at most -parallel at a time, and collects their results.
type suite struct {
	flags runFlags
	rep   reporter
	sem   chan struct{}
	wg    sync.WaitGroup
	files map[string]scenarioFile // testscript's subtest name -> the scenario
	work  *workroot.Root
	exit  func(code int) // os.Exit, for a second signal

	// ctx is cancelled, with the signal as its cause, when a signal stops
	// the run; every scenario's context derives from it.
	ctx    context.Context
	cancel context.CancelCauseFunc
	signal atomic.Value // the os.Signal that stopped the run

	mu      sync.Mutex
	results []*result
	kept    []keptWorld
}

type keptWorld struct {
	name  string
	world *world.World
}

// interruptedError is the cause of the scenarios' cancellation by a signal.
type interruptedError struct{ sig os.Signal }

func (e interruptedError) Error() string { return "interrupted by " + signalName(e.sig) }

func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		if name := unix.SignalName(s); name != "" {
			return name
		}
	}
	return sig.String()
}

// signalExit is the exit status of a run a signal stopped, as a shell
// reports a process the signal killed: 128 + the signal's number.
func signalExit(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFailed
}

func runScenarios(files []scenarioFile, f runFlags, stdout, stderr io.Writer) int {
	if _, err := workroot.Sweep(); err != nil {
		fmt.Fprintf(stderr, "netscript run: %v\n", err)
	}
	work, err := workroot.Create()
	if err != nil {
		fmt.Fprintf(stderr, "netscript run: %v\n", err)
		return exitUsage
	}
	s := &suite{flags: f, sem: make(chan struct{}, f.parallel), files: make(map[string]scenarioFile), work: work, exit: os.Exit}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	defer s.cancel(nil)
	paths := make([]string, len(files))
	for i, file := range files {
		paths[i] = file.path
	}
	for i, name := range runner.SubtestNames(paths) {
		s.files[name] = files[i]
	}
	if f.json {
		s.rep = newJSONReporter(stdout)
	} else {
		s.rep = newTextReporter(stdout, f.verbose, len(files))
	}
	opts := []runner.Option{runner.WithTimeout(f.timeout), runner.WithUpdate(f.update),
		runner.WithContext(s.ctx), runner.WithWorkdirRoot(work.Dir)}
	if f.noReal {
		opts = append(opts, runner.WithoutFallback())
	}
	if f.keep {
		opts = append(opts, runner.WithKeepOnFailure(func(name string, w *world.World) {
			s.mu.Lock()
			s.kept = append(s.kept, keptWorld{s.scenario(name).name, w})
			s.mu.Unlock()
		}))
	}
	sigc := make(chan os.Signal, 2)
	signal.Notify(sigc, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigc)
	running := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		s.watch(sigc, running, stderr)
	}()

	var pcaps *pcapRecorder
	if f.pcap != "" {
		pcaps = newPcapRecorder(f.pcap)
		opts = append(opts, pcaps.option())
	}
	start := time.Now()
	top := &topT{s: s}
	done := make(chan struct{})
	go func() { // testscript may call Fatal on top, which ends this goroutine
		defer close(done)
		runner.RunT(top, paths, opts...)
	}()
	<-done
	s.wg.Wait()
	close(running)
	<-watched
	if err := work.Remove(); err != nil {
		fmt.Fprintf(stderr, "netscript run: %v\n", err)
	}
	sort.Slice(s.results, func(i, j int) bool { return s.results[i].name < s.results[j].name })
	sum := summary{results: s.results, elapsed: time.Since(start)}
	sig, _ := s.signal.Load().(os.Signal)
	if sig != nil {
		sum.signal = signalName(sig)
	}
	s.rep.finished(sum)
	if pcaps != nil {
		pcaps.report(stderr)
	}
	if top.fatal != "" {
		fmt.Fprintf(stderr, "netscript run: %s\n", top.fatal)
		return exitUsage
	}
	if f.junit != "" {
		if err := writeJUnit(f.junit, sum); err != nil {
			fmt.Fprintf(stderr, "netscript run: %v\n", err)
			return exitUsage
		}
	}
	if f.html != "" {
		if err := writeHTML(f.html, s.results, time.Since(start)); err != nil {
			fmt.Fprintf(stderr, "netscript run: %v\n", err)
			return exitUsage
		}
	}
	code := exitOK
	for _, r := range s.results {
		if r.status == failed {
			code = exitFailed
		}
	}
	if sig != nil {
		for _, k := range s.kept {
			k.world.Close()
		}
		return signalExit(sig)
	}
	if len(s.kept) > 0 {
		s.holdKept(sigc, stderr)
	}
	return code
}

// scenario returns the scenario testscript calls name.
func (s *suite) scenario(name string) scenarioFile {
	if sf, ok := s.files[name]; ok {
		return sf
	}
	return scenarioFile{name: name}
}

// watch handles SIGINT and SIGTERM until the scenarios have all ended
// (running is closed). The first signal stops the run: every scenario's
// context is cancelled, so that commands end and Worlds close, and the
// programs the scenarios started get SIGKILL, as on a deadline. A second
// signal ends netscript at once; the kernel frees the namespaces, and the
// work directories are removed first.
func (s *suite) watch(sigc <-chan os.Signal, running <-chan struct{}, stderr io.Writer) {
	var sig os.Signal
	select {
	case sig = <-sigc:
	case <-running:
		return
	}
	s.signal.Store(sig)
	s.cancel(interruptedError{sig})
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		// Programs started by testscript's exec do not see the scenarios'
		// context; a later line may start another, hence the ticker.
		killChildren()
		select {
		case <-tick.C:
		case <-running:
			return
		case again := <-sigc:
			fmt.Fprintf(stderr, "netscript run: %s again: exiting now\n", signalName(again))
			s.work.Remove()
			s.exit(signalExit(sig))
			return
		}
	}
}

// killChildren sends SIGKILL to this process's children: the programs the
// scenarios run. Each is checked to be a child through a pidfd, so that a
// PID reused meanwhile is never signalled.
func killChildren() {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, task := range tasks {
		data, err := os.ReadFile(task)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(field)
			if err != nil {
				continue
			}
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				continue
			}
			if parentOf(pid) == os.Getpid() {
				unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
			}
			unix.Close(fd)
		}
	}
}

// parentOf returns the parent PID of process pid, from /proc/PID/stat, or -1.
func parentOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// pid (comm) state ppid ...; comm may contain spaces and parentheses.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return ppid
}

// holdKept prints how to enter the namespaces of failed scenarios and keeps
// them alive until netscript is interrupted.
func (s *suite) holdKept(sig <-chan os.Signal, w io.Writer) {
	userns := ""
	if os.Getenv(rootlessEnv) != "" {
		userns = fmt.Sprintf("--user=/proc/%d/ns/user --preserve-credentials ", os.Getpid())
	}
	fmt.Fprintf(w, "\nnetscript: keeping the namespaces of %d failed scenario(s) alive. Enter one with:\n", len(s.kept))
	for _, k := range s.kept {
		for _, ns := range k.world.All() {
			label := ns.Label()
			fmt.Fprintf(w, "  %s %-8s nsenter %s--net=/proc/%d/fd/%d\n", k.name, label, userns, os.Getpid(), ns.Fd())
		}
	}
	fmt.Fprintf(w, "Press Ctrl-C (or send SIGTERM) to release them.\n")
	<-sig
	for _, k := range s.kept {
		k.world.Close()
	}
}

// topT is the testscript.T that testscript.RunT is given: it starts each
// scenario on a goroutine of its own, as testing.T does for subtests.
type topT struct {
	s     *suite
	fatal string
}

func (t *topT) Skip(args ...any)  { t.Fatal(args...) }
func (t *topT) Fatal(args ...any) { t.fatal = fmt.Sprint(args...); runtime.Goexit() }
func (t *topT) Parallel()         {}
func (t *topT) Log(args ...any)   {}
func (t *topT) FailNow()          { t.Fatal("failed") }
func (t *topT) Verbose() bool     { return t.s.flags.verbose }

func (t *topT) Run(name string, f func(testscript.T)) {
	sc := &scenarioT{s: t.s, scenario: t.s.scenario(name),
		workLine: "WORK=" + filepath.Join(t.s.work.Dir, "script-"+name) + "\n"}
	t.s.wg.Add(1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// A bug of netscript: crash, exit status 2, before the
				// suite could report and exit with a status of its own.
				panic(r)
			}
			sc.finish()
			t.s.wg.Done()
		}()
		f(sc)
	}()
}

// scenarioT is one scenario's testscript.T.
type scenarioT struct {
	s           *suite
	scenario    scenarioFile
	workLine    string // the "WORK=dir" line testscript starts the log with
	start       time.Time
	slot        bool
	failed      bool
	skipped     bool
	interrupted bool // failed after a signal stopped the run
	notRun      bool // never started: a signal stopped the run first
	logMu       sync.Mutex
	log         strings.Builder
}

// Parallel waits for a free slot: at most -parallel scenarios run at once.
// Once a signal has stopped the run, no scenario starts.
func (t *scenarioT) Parallel() {
	select {
	case t.s.sem <- struct{}{}:
	case <-t.s.ctx.Done():
		t.notRun = true
		runtime.Goexit()
	}
	t.slot = true
	if t.s.ctx.Err() != nil {
		t.notRun = true
		runtime.Goexit()
	}
	t.start = time.Now()
	t.s.rep.started(t.scenario.name)
}

// Log adds to the scenario's log. testscript starts its log with the
// directory the scenario ran in, which is gone by the time anyone reads
// the log: that line is dropped.
func (t *scenarioT) Log(args ...any) {
	args = withoutEnvDump(args) // -v shows commands and outputs, not the environment
	if len(args) == 1 {
		if s, ok := args[0].(string); ok {
			args[0] = strings.TrimPrefix(s, t.workLine)
		}
	}
	t.logMu.Lock()
	defer t.logMu.Unlock()
	fmt.Fprintln(&t.log, args...)
}

func (t *scenarioT) Skip(args ...any) {
	t.Log(args...)
	t.skipped = true
	runtime.Goexit()
}

func (t *scenarioT) Fatal(args ...any) {
	t.Log(args...)
	t.FailNow()
}

func (t *scenarioT) FailNow() {
	t.failed = true
	t.interrupted = t.s.ctx.Err() != nil
	runtime.Goexit()
}

// Failed tells the runner whether to dump the namespaces' state and, with
// -keep, keep them: not for a scenario a signal cut short.
func (t *scenarioT) Failed() bool { return t.failed && !t.interrupted }

func (t *scenarioT) Run(name string, f func(testscript.T)) { f(t) }
func (t *scenarioT) Verbose() bool                         { return t.s.flags.logsAll() }

func (t *scenarioT) finish() {
	if t.slot {
		<-t.s.sem
	}
	r := &result{name: t.scenario.name, file: t.scenario.path, status: passed}
	if t.notRun {
		r.status = notRun
		t.s.mu.Lock()
		t.s.results = append(t.s.results, r)
		t.s.mu.Unlock()
		return
	}
	if t.start.IsZero() {
		t.start = time.Now()
		t.s.rep.started(t.scenario.name)
	}
	r.elapsed = time.Since(t.start)
	switch {
	case t.interrupted:
		r.status = interrupted
	case t.failed:
		r.status = failed
	case t.skipped:
		r.status = skipped
	}
	t.logMu.Lock()
	r.log = t.log.String()
	t.logMu.Unlock()
	t.s.mu.Lock()
	t.s.results = append(t.s.results, r)
	t.s.mu.Unlock()
	t.s.rep.ended(r)
}
