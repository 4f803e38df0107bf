package runner

import (
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// fakeT is a testscript.T that records what a scenario run logs, so tests
// can check the messages a failing scenario produces. Like testing.T, it
// runs each subtest on a goroutine of its own: the runner locks that
// goroutine's thread inside the scenario's namespace and lets it die.
type fakeT struct {
	mu      sync.Mutex
	log     strings.Builder
	failed  bool
	skipped bool
}

var _ testscript.T = (*fakeT)(nil)

func (t *fakeT) Skip(args ...any) {
	t.mu.Lock()
	t.skipped = true
	fmt.Fprintln(&t.log, args...)
	t.mu.Unlock()
	runtime.Goexit()
}

func (t *fakeT) Fatal(args ...any) {
	t.Log(args...)
	t.FailNow()
}

func (t *fakeT) Parallel() {}

func (t *fakeT) Log(args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintln(&t.log, args...)
}

func (t *fakeT) FailNow() {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	runtime.Goexit()
}

func (t *fakeT) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

func (t *fakeT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// Crash as the panic would, without first waking the
				// caller, which would exit 0 before the crash did.
				panic(r)
			}
			close(done)
		}()
		f(t)
	}()
	<-done
}

func (t *fakeT) Verbose() bool { return false }

func (t *fakeT) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.log.String()
}
