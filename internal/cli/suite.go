package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/runner"
)

var runtimeNumCPU = runtime.NumCPU

// status is how a scenario ended.
type status string

const (
	passed  status = "pass"
	failed  status = "fail"
	skipped status = "skip"
)

// result is one scenario's outcome.
type result struct {
	name    string
	file    string
	status  status
	elapsed time.Duration
	log     string
}

// reporter shows a run as it happens.
type reporter interface {
	started(name string)
	ended(r *result)
	finished(results []*result, elapsed time.Duration)
}

// suite runs scenarios through testscript with a testscript.T of its own,
// at most -parallel at a time, and collects their results.
type suite struct {
	flags runFlags
	rep   reporter
	sem   chan struct{}
	wg    sync.WaitGroup
	files map[string]string // scenario name -> file

	mu      sync.Mutex
	results []*result
	kept    []keptWorld
}

type keptWorld struct {
	name  string
	world *world.World
}

func runScenarios(files []string, f runFlags, stdout, stderr io.Writer) int {
	s := &suite{flags: f, sem: make(chan struct{}, f.parallel), files: make(map[string]string)}
	for _, file := range files {
		s.files[runner.ScenarioName(file)] = file
	}
	if f.json {
		s.rep = newJSONReporter(stdout)
	} else {
		s.rep = newTextReporter(stdout, f.verbose, len(files))
	}
	opts := []runner.Option{runner.WithTimeout(f.timeout), runner.WithUpdate(f.update)}
	if f.noReal {
		opts = append(opts, runner.WithoutFallback())
	}
	if f.keep {
		opts = append(opts, runner.WithKeepOnFailure(func(name string, w *world.World) {
			s.mu.Lock()
			s.kept = append(s.kept, keptWorld{name, w})
			s.mu.Unlock()
		}))
	}
	start := time.Now()
	top := &topT{s: s}
	done := make(chan struct{})
	go func() { // testscript may call Fatal on top, which ends this goroutine
		defer close(done)
		runner.RunT(top, files, opts...)
	}()
	<-done
	s.wg.Wait()
	sort.Slice(s.results, func(i, j int) bool { return s.results[i].name < s.results[j].name })
	s.rep.finished(s.results, time.Since(start))
	if top.fatal != "" {
		fmt.Fprintf(stderr, "netscript run: %s\n", top.fatal)
		return exitUsage
	}
	if f.junit != "" {
		if err := writeJUnit(f.junit, s.results, time.Since(start)); err != nil {
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
	if len(s.kept) > 0 {
		s.holdKept(stderr)
	}
	return code
}

// holdKept prints how to enter the namespaces of failed scenarios and keeps
// them alive until netscript is interrupted.
func (s *suite) holdKept(w io.Writer) {
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
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	signal.Stop(sig)
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
	sc := &scenarioT{s: t.s, name: name}
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
	s       *suite
	name    string
	start   time.Time
	slot    bool
	failed  bool
	skipped bool
	logMu   sync.Mutex
	log     strings.Builder
}

// Parallel waits for a free slot: at most -parallel scenarios run at once.
func (t *scenarioT) Parallel() {
	t.s.sem <- struct{}{}
	t.slot = true
	t.start = time.Now()
	t.s.rep.started(t.name)
}

func (t *scenarioT) Log(args ...any) {
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
	runtime.Goexit()
}

// Failed tells the runner whether to dump the namespaces' state.
func (t *scenarioT) Failed() bool { return t.failed }

func (t *scenarioT) Run(name string, f func(testscript.T)) { f(t) }
func (t *scenarioT) Verbose() bool                         { return t.s.flags.verbose }

func (t *scenarioT) finish() {
	if t.start.IsZero() {
		t.start = time.Now()
		t.s.rep.started(t.name)
	}
	if t.slot {
		<-t.s.sem
	}
	r := &result{name: t.name, file: t.s.files[t.name], elapsed: time.Since(t.start), status: passed}
	switch {
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
