package runner

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"unsafe"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/netscript/netscript/script"
)

// errNoBackground says that the testscript in use keeps its background
// programs differently from v1.16's, which addBackground knows.
var errNoBackground = errors.New("netscript: this testscript version keeps background programs in an unknown way")

// addBackground hands job, a real program a command started in the
// background, to testscript as if "exec PROGRAM &" had started it: "wait"
// then waits for it and sets stdout and stderr to its output, "kill"
// signals it, and at the end of the scenario it gets testscript's interrupt.
// neg is the line's "!": the program is then expected to fail, as for
// "! exec PROGRAM &". If the scenario's deadline passes first, the program
// gets SIGKILL, so that no wait outlasts the scenario.
//
// testscript has no API for this (its background list is unexported), so
// the list is reached with reflection, after checking that it has the
// shape of go-internal v1.16's: []backgroundCmd{name, cmd, wait, neg}.
func addBackground(ctx context.Context, ts *testscript.TestScript, job script.Job, neg bool) error {
	list := reflect.ValueOf(ts).Elem().FieldByName("background")
	if !list.IsValid() || list.Kind() != reflect.Slice || !backgroundShape(list.Type().Elem()) {
		return errNoBackground
	}
	if _, ok := job.Cmd.Stdout.(*strings.Builder); !ok {
		return fmt.Errorf("netscript: background %s: its output is not kept", job.Cmd.Args[0])
	}
	if _, ok := job.Cmd.Stderr.(*strings.Builder); !ok {
		return fmt.Errorf("netscript: background %s: its errors are not kept", job.Cmd.Args[0])
	}
	list = writable(list)
	if job.Name != "" {
		for i := range list.Len() {
			if writable(list.Index(i).FieldByName("name")).String() == job.Name {
				return fmt.Errorf("duplicate background process name %q", job.Name)
			}
		}
	}
	bg := reflect.New(list.Type().Elem()).Elem()
	writable(bg.FieldByName("name")).SetString(job.Name)
	writable(bg.FieldByName("cmd")).Set(reflect.ValueOf(job.Cmd))
	writable(bg.FieldByName("wait")).Set(reflect.ValueOf(job.Done))
	writable(bg.FieldByName("neg")).SetBool(neg)
	list.Set(reflect.Append(list, bg))
	go func() {
		select {
		case <-job.Done:
		case <-ctx.Done():
			job.Cmd.Process.Kill()
		}
	}()
	return nil
}

// backgroundShape reports whether t is go-internal v1.16's backgroundCmd.
func backgroundShape(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.NumField() != 4 {
		return false
	}
	want := map[string]reflect.Type{
		"name": reflect.TypeFor[string](),
		"cmd":  reflect.TypeFor[*exec.Cmd](),
		"wait": reflect.TypeFor[<-chan struct{}](),
		"neg":  reflect.TypeFor[bool](),
	}
	for i := range t.NumField() {
		if f := t.Field(i); want[f.Name] != f.Type {
			return false
		}
	}
	return true
}

// writable returns v, an addressable value read through unexported
// fields, as a value that can be set.
func writable(v reflect.Value) reflect.Value {
	return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
}
