package runner

import (
	"errors"
	"reflect"

	"github.com/rogpeppe/go-internal/testscript"
)

// errNoStdin says that the testscript in use keeps the input of its "stdin"
// command differently from v1.16's, which takeStdin knows.
var errNoStdin = errors.New("netscript: this testscript version keeps the input of \"stdin\" in an unknown way")

// takeStdin returns the input that testscript's "stdin FILE" left for the
// next command, and clears it, as testscript's own exec does: the netscript
// command about to run is that next command, and the input must not reach
// the one after (an "exec" later on, say).
//
// testscript has no API for this (the input is an unexported field,
// stdin string), so it is reached with reflection, after checking its
// type.
func takeStdin(ts *testscript.TestScript) (string, error) {
	f := reflect.ValueOf(ts).Elem().FieldByName("stdin")
	if !f.IsValid() || f.Kind() != reflect.String {
		return "", errNoStdin
	}
	f = writable(f)
	in := f.String()
	f.SetString("")
	return in, nil
}
