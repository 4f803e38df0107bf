package scenariofile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptT is the testscript.T of one script run inside a test: each Run
// goes on a goroutine of its own, so that FailNow can end it.
type scriptT struct {
	mu     sync.Mutex
	log    strings.Builder
	failed bool
}

func (t *scriptT) Skip(args ...any)  { t.Log(args...); runtime.Goexit() }
func (t *scriptT) Fatal(args ...any) { t.Log(args...); t.FailNow() }
func (t *scriptT) Parallel()         {}
func (t *scriptT) Verbose() bool     { return false }
func (t *scriptT) Log(args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintln(&t.log, args...)
}
func (t *scriptT) FailNow() {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	runtime.Goexit()
}
func (t *scriptT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(t)
	}()
	<-done
}

// testscriptWords runs "rec REST" as a one-line testscript script and
// returns the words testscript's own lexer gave the command, the
// environment they were expanded with, and the message of a line
// testscript refused.
func testscriptWords(t *testing.T, rest string) (words []string, vars []string, refused string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "line.txtar"), []byte("rec "+rest+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &scriptT{}
	testscript.RunT(st, testscript.Params{
		Dir:         dir,
		WorkdirRoot: t.TempDir(),
		Setup: func(env *testscript.Env) error {
			vars = append([]string(nil), env.Vars...)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"rec": func(ts *testscript.TestScript, neg bool, args []string) {
				words = append([]string{"rec"}, args...)
			},
		},
	})
	if st.failed {
		log := st.log.String()
		if i := strings.Index(log, "FAIL: "); i >= 0 {
			log = log[i:]
			if _, msg, ok := strings.Cut(log, ": "); ok { // FAIL: file:line: msg
				if _, msg, ok = strings.Cut(msg, ": "); ok {
					log = strings.TrimSpace(msg)
				}
			}
		}
		return nil, vars, log
	}
	return words, vars, ""
}

// ourWords reads "rec REST" with this package's lexer, expanding with the
// environment testscript gave the script.
func ourWords(rest string, vars []string) ([]string, string) {
	e := env{}
	for _, kv := range vars {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e[k] = v
		}
	}
	l, _ := readLine(1, "rec "+rest, e)
	if l.Err != "" {
		return nil, l.Err
	}
	return l.Args, ""
}

// FuzzLexMatchesTestscript proves that scenariofile splits and expands a
// command line exactly as testscript does, by running the line through
// testscript itself: quotes, doubled quotes, "#" comments, $VAR and
// ${VAR@R} expansion, tabs and carriage returns.
func FuzzLexMatchesTestscript(f *testing.F) {
	for _, seed := range []string{
		"a b  c", "'a b' c", "'it''s'", "a'b c'd", "''", "$WORK/x", "${WORK}x '$WORK'",
		"a # comment", "'a # b'", "x\ty\rz", "$NOPE end", "${devnull@R}", "'unterminated",
		"$/ ${:} $$", "a''b", "'''' ''''''", "${", "$", "#", "a#b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		if strings.ContainsAny(rest, "\n\x00") {
			t.Skip("one line, as a script has them")
		}
		want, vars, refused := testscriptWords(t, rest)
		got, err := ourWords(rest, vars)
		if refused != "" {
			if err != refused {
				t.Fatalf("%q: testscript refuses the line (%q), scenariofile reads %q (err %q)", rest, refused, got, err)
			}
			return
		}
		if err != "" || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: testscript reads %q, scenariofile %q (err %q)", rest, want, got, err)
		}
	})
}
