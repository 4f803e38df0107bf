// Package runner runs netscript scenarios as Go tests.
//
//	func TestScenarios(t *testing.T) { runner.Run(t, "scenarios") }
//
// Every *.txtar file in the directory becomes a parallel subtest, run by
// testscript with netscript's command table installed and a World of its
// own: a private network namespace that plays the host, plus the
// namespaces the scenario creates. The test goroutine's thread lives inside
// that private namespace for the whole scenario, so even testscript's own
// "exec" starts programs there, never on the host. When the test ends, or the
// process dies, the kernel frees every namespace and link the scenario made.
package runner

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/jobs"
	"github.com/netscript/netscript/internal/linkprobe"
	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

var update = flag.Bool("update", false, "rewrite the golden files of netscript scenarios whose cmp fails")

// UpdateEnv, set to 1, has the same effect as -update. Unlike the flag, it
// works with "go test ./...": test binaries that do not import the runner
// would reject an -update flag.
const UpdateEnv = "NETSCRIPT_UPDATE"

// DefaultTimeout bounds one scenario when the test binary has no deadline.
const DefaultTimeout = 5 * time.Minute

// Option changes how Run runs scenarios.
type Option func(*config)

type config struct {
	timeout time.Duration
	files   []string
	extra   []*script.Cmd
	update  bool
	keep    func(name string, w *world.World)
	ctx     context.Context
	workdir string
	shard   *Shard
	watch   func(name string, w *world.World) (end func(failed bool), err error)
	conds   []*script.Cond

	noFallback bool
}

// WithWorldWatch calls start with each scenario's name and World as the
// scenario begins (an error fails the scenario), and the end function it
// returns with whether the scenario failed as it ends, before its World
// closes: what watches a World (a packet capture) lives as long as it.
func WithWorldWatch(start func(name string, w *world.World) (end func(failed bool), err error)) Option {
	return func(c *config) { c.watch = start }
}

// WithTimeout bounds each scenario; every command runs under that deadline.
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithFiles runs the named scenario files instead of a directory's.
func WithFiles(files ...string) Option { return func(c *config) { c.files = files } }

// WithUpdate rewrites golden files whose cmp fails, as -update does.
func WithUpdate(on bool) Option { return func(c *config) { c.update = on } }

// WithContext makes ctx the parent of every scenario's context: cancelling
// it stops the scenarios, and its cause (context.Cause) is the reason their
// failure gives. Scenarios not started yet fail at once.
func WithContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }

// WithWorkdirRoot creates the scenarios' work directories in dir instead of
// a temporary directory of testscript's. The caller removes dir; testscript
// then starts each scenario's log with a "WORK=" line naming its directory.
func WithWorkdirRoot(dir string) Option { return func(c *config) { c.workdir = dir } }

// WithKeepOnFailure hands the World of a failed scenario to keep instead of
// closing it, so its namespaces stay alive for debugging; keep must close
// it. name is the scenario's name.
func WithKeepOnFailure(keep func(name string, w *world.World)) Option {
	return func(c *config) { c.keep = keep }
}

// WithoutFallback forbids running the real tool for a builtin form
// netscript does not implement (see script.Fallback): such a line fails
// with "not implemented by netscript", for suites that must not depend on
// installed binaries. The environment variable NoFallbackEnv=1 does the
// same.
func WithoutFallback() Option { return func(c *config) { c.noFallback = true } }

// NoFallbackEnv, set to 1, forbids the fallback to real tools, as
// WithoutFallback does.
const NoFallbackEnv = "NETSCRIPT_NO_FALLBACK"

// WithCmd adds a command of your own to the scenarios' command table: see
// package script. Its name must not be one of netscript's commands.
func WithCmd(cmd *script.Cmd) Option { return func(c *config) { c.extra = append(c.extra, cmd) } }

// WithCondition adds a condition of your own, [NAME] or [NAME:ARG], to
// those scenarios can test: see script.Cond. Its name must not be one of
// netscript's conditions.
func WithCondition(cond *script.Cond) Option {
	return func(c *config) { c.conds = append(c.conds, cond) }
}

type stateKey struct{}

// scenario is what one running scenario's commands share.
type scenario struct {
	world      *world.World
	ctx        context.Context
	vars       []string // names of the environment variables set up for the script
	workDir    string
	update     bool // rewrite golden files whose check fails
	golden     goldenUpdates
	noFallback bool // WithoutFallback
}

// Run runs every scenario in dir (or the files given WithFiles) as a
// parallel subtest of t. With -update, cmp failures against files in the
// scenario rewrite those files.
func Run(t *testing.T, dir string, opts ...Option) {
	t.Helper()
	if msg := MissingPrivilege(); msg != "" {
		t.Skip(msg)
	}
	cfg := configure(opts)
	files := cfg.files
	if dir != "" {
		var err error
		if files, err = Expand([]string{dir}); err != nil {
			t.Fatalf("netscript: no scenarios in %s (%v)", dir, err)
		}
	}
	files, err := shardFiles(cfg, files, os.Getenv)
	if err != nil {
		t.Fatalf("netscript: %v", err)
	}
	if len(files) == 0 {
		t.Log("netscript: no scenario falls in this shard")
		return
	}
	// A file testscript cannot read, parse or start fails on its own,
	// without taking the other scenarios (or the test binary) down with
	// it, and before testscript writes any of its archive files.
	var good []string
	for _, f := range files {
		if _, err := ReadArchive(f); err != nil {
			t.Run(ScenarioName(f), func(t *testing.T) { t.Fatal(err) })
			continue
		}
		good = append(good, f)
	}
	if len(good) > 0 {
		testscript.Run(t, params(append(opts, WithFiles(good...))))
	}
}

// ScenarioName is the name testscript gives a scenario file's subtest.
func ScenarioName(file string) string {
	name := filepath.Base(file)
	for _, ext := range []string{".txtar", ".txt"} {
		if n, ok := strings.CutSuffix(name, ext); ok {
			return n
		}
	}
	return name
}

// SubtestNames returns the names testscript gives the files' subtests, in
// order: a file's ScenarioName, with "#1", "#2"... added to the names
// already taken, as testscript.RunT does.
func SubtestNames(files []string) []string {
	names := make([]string, len(files))
	taken := make(map[string]bool)
	for i, file := range files {
		name := filepath.Base(file)
		if n, ok := strings.CutSuffix(name, ".txt"); ok {
			name = n
		} else if n, ok := strings.CutSuffix(name, ".txtar"); ok {
			name = n
		}
		prefix := name
		for j := 1; taken[name]; j++ {
			name = prefix + "#" + strconv.Itoa(j)
		}
		taken[name] = true
		names[i] = name
	}
	return names
}

// RunT runs the scenario files with t, any testscript.T: the netscript
// command runs scenarios this way, outside go test. It does not check
// privileges; the caller does, with MissingPrivilege. As with Run, a file
// ReadArchive refuses fails on its own, before testscript reads it.
func RunT(t testscript.T, files []string, opts ...Option) {
	var good []string
	for _, f := range files {
		if _, err := ReadArchive(f); err != nil {
			t.Run(ScenarioName(f), func(t testscript.T) { t.Fatal(err) })
			continue
		}
		good = append(good, f)
	}
	if len(good) > 0 {
		testscript.RunT(t, params(append(opts, WithFiles(good...))))
	}
}

// params builds the testscript parameters Run uses.
func params(opts []Option) testscript.Params {
	cfg := configure(opts)
	table := commands.Table()
	for _, c := range cfg.extra {
		table.Add(c)
	}
	for _, c := range cfg.conds {
		if slices.ContainsFunc(Conditions, func(o *script.Cond) bool { return o.Name == c.Name }) {
			panic("runner: condition " + c.Name + " defined twice")
		}
	}
	cmds := make(map[string]func(*testscript.TestScript, bool, []string), len(table))
	for name := range table {
		cmds[name] = adapt(table, name)
	}
	p := testscript.Params{
		Files:              cfg.files,
		Cmds:               cmds,
		UpdateScripts:      cfg.updating(),
		RequireUniqueNames: true,
		WorkdirRoot:        cfg.workdir,
		Condition:          func(cond string) (bool, error) { return condition(cfg.conds, cond) },
		Setup:              func(env *testscript.Env) error { return setup(env, cfg, table) },
	}
	return p
}

// updating reports whether golden files whose check fails are rewritten.
func (cfg config) updating() bool { return cfg.update || *update || os.Getenv(UpdateEnv) == "1" }

// configure applies opts to the defaults.
func configure(opts []Option) config {
	cfg := config{timeout: DefaultTimeout, ctx: context.Background()}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// setup gives the scenario its World and moves the scenario's goroutine,
// locked to its thread, into the World's root namespace, so that even
// testscript's own exec starts programs there. A scenario that uses exec
// gets its thread moved into the World's sandbox as well (see
// world.World.Sandbox), so those programs name the scenario's namespaces
// and die with it; that thread never returns to the scheduler and ends
// with the scenario's goroutine. Otherwise, at the end of the scenario the
// thread goes back to its original namespace and is unlocked; should that
// fail, it stays locked and the runtime ends it with the goroutine.
//
// When the scenario's deadline passes, every process inside its
// namespaces is killed, a foreground exec included, and the scenario fails.
func setup(env *testscript.Env, cfg config, table script.Table) error {
	if cfg.ctx.Err() != nil {
		return fmt.Errorf("netscript: %w", context.Cause(cfg.ctx))
	}
	w, err := world.New()
	if err != nil {
		return fmt.Errorf("netscript: %w", err)
	}
	name := strings.TrimPrefix(filepath.Base(env.WorkDir), "script-")
	var end func(failed bool)
	if cfg.watch != nil {
		if end, err = cfg.watch(name, w); err != nil {
			w.Close()
			return fmt.Errorf("netscript: %w", err)
		}
	}
	sandboxed := usesExec(cfg.scenarioFile(name))
	runtime.LockOSThread()
	orig := -1
	if sandboxed {
		if err := w.EnterSandbox(); err != nil {
			w.Close()
			return fmt.Errorf("netscript: enter the scenario's sandbox: %w", err)
		}
	} else {
		if orig, err = unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0); err != nil {
			runtime.UnlockOSThread()
			w.Close()
			return fmt.Errorf("netscript: open the thread's namespace: %w", err)
		}
		if err := unix.Setns(w.Root().Fd(), unix.CLONE_NEWNET); err != nil {
			unix.Close(orig)
			runtime.UnlockOSThread()
			w.Close()
			return fmt.Errorf("netscript: enter the scenario's namespace: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(cfg.ctx, cfg.timeout)
	var expired atomic.Bool
	go func() {
		<-ctx.Done()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			expired.Store(true)
			w.KillProcesses()
		}
	}()
	sc := &scenario{world: w, ctx: ctx, workDir: env.WorkDir, update: cfg.updating(), noFallback: cfg.noFallback || os.Getenv(NoFallbackEnv) == "1"}
	for _, kv := range env.Vars {
		if k, _, ok := strings.Cut(kv, "="); ok {
			sc.vars = append(sc.vars, k)
		}
	}
	env.Values[stateKey{}] = sc
	t := env.T()
	env.Defer(func() {
		failed := false
		if f, ok := t.(interface{ Failed() bool }); ok && f.Failed() {
			failed = true
		}
		if expired.Load() {
			failed = true
		}
		if failed {
			t.Log(dumpWorld(ctx, w, table))
		}
		if end != nil {
			end(failed)
		}
		cancel()
		if orig >= 0 {
			if err := unix.Setns(orig, unix.CLONE_NEWNET); err == nil {
				runtime.UnlockOSThread()
			} else {
				t.Log("netscript: could not leave the scenario's namespace; its thread will end:", err)
			}
			unix.Close(orig)
		}
		if failed && cfg.keep != nil {
			cfg.keep(name, w)
		} else if err := w.Close(); err != nil {
			t.Log("netscript: close world:", err)
		}
		if expired.Load() {
			t.Fatal(fmt.Sprintf("netscript: the scenario's deadline (%v) passed; every program it ran was killed", cfg.timeout))
		}
	})
	// Deferred last, so run first: testscript has written cmp's updates by
	// now (its own deferred call runs before these), the checks' go on top.
	env.Defer(func() {
		if err := sc.golden.apply(); err != nil {
			t.Fatal("netscript: ", err)
		} else if sc.golden.file != "" {
			t.Log(sc.golden.file + " updated")
		}
	})
	return nil
}

// scenarioFile returns the file of the scenario testscript calls name.
func (c config) scenarioFile(name string) string {
	for _, f := range c.files {
		if ScenarioName(f) == name {
			return f
		}
	}
	return ""
}

// usesExec reports whether the scenario in file has a line that runs
// testscript's exec: such a scenario's thread enters the sandbox from the
// start, since testscript starts those programs from it. Other scenarios
// make the sandbox only when a real program first runs, and pay nothing
// for it otherwise.
func usesExec(file string) bool {
	data, err := scenariofile.Read(file)
	if err != nil {
		return false
	}
	sc, err := scenariofile.Parse(data)
	if err != nil {
		return false
	}
	for _, l := range sc.Lines {
		if len(l.Args) > 0 && l.Args[0] == "exec" {
			return true
		}
	}
	return false
}

// adapt turns a table entry into a testscript command. A failure the real
// tool would report (an *script.ExitError) fails the step unless it is
// negated with "!"; any other error is netscript's own and always fails it.
func adapt(table script.Table, name string) func(*testscript.TestScript, bool, []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		sc := ts.Value(stateKey{}).(*scenario)
		st := &script.State{
			Ctx:   sc.ctx,
			World: sc.world,
			NS:    sc.world.Root(),
			Dir:   ts.MkAbs("."),

			Real:       jobs.Run,
			NoFallback: sc.noFallback,
			Log:        ts.Logf,
		}
		if table[name].Checks {
			// A check leaves the last command's output for the next
			// check, as cmp does; its own errors go to the log.
			st.Stdout, st.Stderr = io.Discard, io.Discard
			st.Scenario = &scenarioAccess{ts: ts, sc: sc, neg: neg}
		} else {
			st.Stdout, st.Stderr = ts.Stdout(), ts.Stderr()
			// The input of a preceding "stdin FILE" is this command's,
			// and no later command's.
			in, err := takeStdin(ts)
			if err != nil {
				ts.Fatalf("%s: %v", name, err)
			}
			st.Stdin = in
		}
		st.Env = scriptEnv(ts, sc.vars)
		background := false // a program started in the background, whose "!" wait checks
		st.Background = func(job script.Job) error {
			background = true
			return addBackground(sc.ctx, ts, job, neg)
		}
		argv := append([]string{name}, args...)
		err := table.Run(st, argv)
		line := strings.Join(argv, " ")
		if cause := context.Cause(sc.ctx); cause != nil {
			// A command cut short by the deadline may still exit 0 (ping
			// stops as with -w); the scenario did not finish in time. Or
			// the caller stopped the scenarios (WithContext).
			if errors.Is(cause, context.DeadlineExceeded) {
				ts.Fatalf("%s: the scenario's deadline passed (%v)", line, cause)
			}
			ts.Fatalf("%s: %v", line, cause)
		}
		switch {
		case err == nil && neg && !background:
			ts.Fatalf("%s: unexpected success", line)
		case err == nil:
		case !isExit(err):
			ts.Fatalf("%s: netscript: %v", line, err)
		case !neg:
			ts.Fatalf("%s: %v", line, err)
		}
	}
}

// scriptEnv returns the script's environment as testscript's own exec sees
// it, "env" changes included. testscript keeps that list unexported, so it
// is read with reflection; should a later testscript rename the field, the
// variables known at setup are used, with their current values.
func scriptEnv(ts *testscript.TestScript, setupVars []string) []string {
	if f := reflect.ValueOf(ts).Elem().FieldByName("env"); f.IsValid() && f.Kind() == reflect.Slice &&
		f.Type().Elem().Kind() == reflect.String {
		env := make([]string, f.Len())
		for i := range env {
			env[i] = f.Index(i).String()
		}
		return env
	}
	env := make([]string, 0, len(setupVars))
	for _, k := range setupVars {
		env = append(env, k+"="+ts.Getenv(k))
	}
	return env
}

func isExit(err error) bool {
	_, ok := err.(*script.ExitError)
	return ok
}

// Conditions are netscript's own scenario conditions, beyond testscript's.
// [root] holds when the scenario may do what root does to its namespaces:
// the process holds CAP_SYS_ADMIN and CAP_NET_ADMIN and can create a
// network namespace (privilege.Missing), whatever its user id.
var Conditions = []*script.Cond{
	{Name: "root", Summary: "the scenario may do what root does to namespaces (the capabilities, in the host's or a user namespace)",
		Eval: func(string) (bool, error) { return privilege.Missing() == "", nil }},
	{Name: "link", Param: true, Summary: "the running kernel can create links of KIND (vxlan, vlan, dummy, ...)",
		Eval: func(kind string) (bool, error) {
			if kind == "" {
				return false, fmt.Errorf("[link:KIND] needs a kind, as in [link:vxlan]")
			}
			ok, _ := linkprobe.CanCreate(kind)
			return ok, nil
		}},
}

// ConditionList returns Conditions and extra (those of WithCondition), as
// netscript check and help know them.
func ConditionList(extra ...*script.Cond) []scenariofile.Condition {
	var list []scenariofile.Condition
	for _, c := range append(slices.Clone(Conditions), extra...) {
		list = append(list, scenariofile.Condition{Name: c.Name, Param: c.Param, Summary: c.Summary})
	}
	return list
}

// condition evaluates the conditions of WithCondition and Conditions for
// testscript.
func condition(extra []*script.Cond, cond string) (bool, error) {
	name, arg, param := strings.Cut(cond, ":")
	for _, c := range append(slices.Clone(extra), Conditions...) {
		if c.Name == name && c.Param == param {
			return c.Eval(arg)
		}
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// dumpWorld prints every namespace's links, addresses, routes and neighbours, as the
// kernel selftests do when a check fails.
func dumpWorld(ctx context.Context, w *world.World, table script.Table) string {
	var b strings.Builder
	b.WriteString("netscript: state of every namespace at the failure\n")
	for _, ns := range w.All() {
		label := ns.Label()
		for _, argv := range [][]string{{"ip", "addr"}, {"ip", "route", "show", "table", "all"}, {"ip", "neigh"}} {
			fmt.Fprintf(&b, "--- %s: %s\n", label, strings.Join(argv, " "))
			st := &script.State{Ctx: ctx, World: w, NS: ns, Stdout: &b, Stderr: &b}
			if err := table.Run(st, argv); err != nil && !isExit(err) {
				fmt.Fprintf(&b, "(%v)\n", err)
			}
		}
	}
	return b.String()
}

// MissingPrivilege returns why scenarios cannot run here, or "": the
// process needs CAP_SYS_ADMIN and CAP_NET_ADMIN and must be able to create
// a network namespace (privilege.Missing, found out once per process).
func MissingPrivilege() string { return privilege.Missing() }
