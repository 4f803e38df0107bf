package commands

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

// FuzzTableParse feeds arbitrary command lines to every command's argument
// parser, through the table: each returns an action or an exit error with
// a message, and never panics. The seeds are the lines of testdata/*.cmds
// and of the bad-input corpus.
func FuzzTableParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.cmds")
	bad, _ := filepath.Glob("../../testdata/bad/*.txtar")
	for _, file := range append(seeds, bad...) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			if len(line) > 0 && line[0] != '#' && line[0] != '-' {
				f.Add(string(bytes.TrimPrefix(line, []byte("! "))))
			}
		}
	}
	table := Table()
	names := table.Names()
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		if len(args) == 0 {
			return
		}
		// Try the words under their own command name, and under every
		// command's, so each parser sees every input.
		for _, name := range append([]string{args[0]}, names...) {
			argv := append([]string{name}, args[1:]...)
			act, ok, err := table.Parse(argv)
			if !ok || err == nil {
				continue
			}
			if fb, isFB := script.AsFallback(err); isFB {
				if act == nil || fb.Tool != name {
					t.Errorf("%q: fallback %v without an action for %s", argv, err, name)
				}
				continue
			}
			var e *script.ExitError
			if strings.HasSuffix(err.Error(), "nested on one line") {
				continue // netscript's own file:line error (script.NestingError)
			}
			if !errors.As(err, &e) {
				t.Errorf("%q: error of type %T: %v", argv, err, err)
			} else if e.Code == 0 {
				t.Errorf("%q: error with exit status 0: %v", argv, err)
			}
		}
	})
}
