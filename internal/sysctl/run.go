package sysctl

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// deprecated are the keys DisplayAll leaves out without --deprecated.
var deprecated = map[string]bool{"base_reachable_time": true, "retrans_time": true}

// run carries out the request on a thread inside the scenario's namespace.
func (r *request) run(s *script.State) error {
	x := &runner{request: r, out: s.Stdout, errw: s.Stderr}
	var rc int
	err := s.NS.Do(func() error {
		if r.all {
			rc = x.displayAll(procPath)
			return nil
		}
		if r.writes() {
			if err := checkNotHost(); err != nil {
				return err
			}
			if err := r.checkTargets(); err != nil {
				return err
			}
		}
		for _, st := range r.steps {
			switch {
			case !st.write:
				rc += x.readSetting(st.read)
			case !st.ok:
				x.warn(st.msg)
				rc |= exitFailure
			default:
				x.warn(st.set.warn)
				w, err := x.writeSetting(st.set)
				if err != nil {
					return err
				}
				rc |= w
			}
		}
		return nil
	})
	if err != nil {
		return s.Fail(exitFailure, "sysctl: %v", err)
	}
	if code := rc & 0xff; code != 0 {
		return &script.ExitError{Code: code}
	}
	return nil
}

// writes reports whether the request may write anything.
func (r *request) writes() bool {
	for _, st := range r.steps {
		if st.write && st.ok {
			return true
		}
	}
	return false
}

// checkTargets refuses the whole command, before anything is written, if
// one of its writes would reach a sysctl that exists here and is not kept
// per network namespace. Keys that do not exist, or that sysctl would not
// write (directories, read-only files, paths outside /proc/sys), are left
// to sysctl's own messages.
func (r *request) checkTargets() error {
	for _, st := range r.steps {
		if !st.write || !st.ok {
			continue
		}
		fi, err := os.Stat(st.set.path)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o200 == 0 {
			continue
		}
		resolved, err := filepath.EvalSymlinks(st.set.path)
		if err != nil {
			continue
		}
		if rel, under := strings.CutPrefix(resolved, procPath); under && !writable(rel) {
			return errors.New(strings.TrimPrefix(refusal(rel), "sysctl: "))
		}
	}
	return nil
}

// runner is one run's output.
type runner struct {
	*request
	out, errw io.Writer
}

// warn prints a message line to stderr; "" prints nothing.
func (x *runner) warn(msg string) {
	if msg != "" {
		fmt.Fprintln(x.errw, msg)
	}
}

// warnErr is xwarn: the message, ": " and the C library's text for err.
func (x *runner) warnErr(msg string, err error) {
	fmt.Fprintf(x.errw, "sysctl: %s: %s\n", msg, script.Capitalize(script.ErrorText(err)))
}

// isProcPath is is_proc_path: the key must resolve under /proc/sys/.
func (x *runner) isProcPath(p string) (string, bool) {
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false
	}
	if !strings.HasPrefix(resolved, procPath) {
		x.warn(fmt.Sprintf("sysctl: Path is not under %s: %s", procPath, p))
		return "", false
	}
	return resolved, true
}

// readSetting is ReadSetting: it prints one key, or every key below a
// directory, and returns the key's status.
func (x *runner) readSetting(name string) int {
	if name == "" {
		x.warn(`sysctl: "" is an unknown key`)
		return -1
	}
	// procps converts the display name twice, warning each time.
	outname, outWarn := slashdot(name, '/', '.')
	rel, relWarn := slashdot(name, '.', '/')
	x.warn(outWarn)
	x.warn(relWarn)
	x.warn(outWarn)
	file := procPath + rel
	st, err := os.Stat(file)
	if err != nil {
		if x.ignoreError {
			return 0
		}
		x.warnErr("cannot stat "+file, err)
		return exitFailure
	}
	if st.Mode().Perm()&0o400 == 0 {
		return 0
	}
	if _, ok := x.isProcPath(file); !ok {
		return -1
	}
	if st.IsDir() {
		return x.displayAll(file + "/")
	}
	if x.pattern != nil && !x.match(outname) {
		return 0
	}
	if x.nameOnly {
		fmt.Fprintln(x.out, outname)
		return 0
	}
	data, err := readProc(file)
	switch {
	case errors.Is(err, unix.ENOENT):
		if x.ignoreError {
			return 0
		}
		x.warn(`sysctl: "` + outname + `" is an unknown key`)
		return exitFailure
	case errors.Is(err, unix.EACCES):
		x.warn(fmt.Sprintf("sysctl: permission denied on key '%s'", outname))
		return exitFailure
	case errors.Is(err, unix.EIO): // stable_secret before it is set
		return exitFailure
	case errors.Is(err, unix.EISDIR):
		return x.displayAll(file + "/")
	case err != nil:
		x.warn(`sysctl: reading key "` + outname + `"`)
		return exitFailure
	}
	x.printValue(outname, data)
	return 0
}

// printValue prints a value as ReadSetting's getline loop: each line, with
// "NAME = " before it unless -n, without its newline with -b.
func (x *runner) printValue(name string, data []byte) {
	for len(data) > 0 {
		line := data
		if i := strings.IndexByte(string(data), '\n'); i >= 0 {
			line = data[:i+1]
		}
		data = data[len(line):]
		text := string(line)
		switch {
		case x.printName:
			fmt.Fprintf(x.out, "%s = %s", name, text)
			if !strings.HasSuffix(text, "\n") {
				fmt.Fprintln(x.out)
			}
		case !x.printNewline:
			fmt.Fprint(x.out, strings.TrimSuffix(text, "\n"))
		default:
			fmt.Fprint(x.out, text)
		}
	}
}

// readProc reads a sysctl file in one go, as procps' fprocopen does.
func readProc(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// displayAll is DisplayAll: every key below dir (which ends in '/'), in
// directory order. Only the keys of dir itself count in its status.
func (x *runner) displayAll(dir string) int {
	f, err := os.Open(dir)
	if err != nil {
		x.warn(`sysctl: unable to open directory "` + dir + `"`)
		return exitFailure
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		x.warn(`sysctl: unable to open directory "` + dir + `"`)
		return exitFailure
	}
	rc := 0
	for _, e := range entries {
		if x.ignoreDeprecated && deprecated[e.Name()] {
			continue
		}
		p := dir + e.Name()
		st, err := os.Stat(p)
		switch {
		case err != nil:
			x.warnErr("cannot stat "+p, err)
		case st.IsDir():
			x.displayAll(p + "/")
		default:
			rc |= x.readSetting(strings.TrimPrefix(p, procPath))
		}
	}
	return rc
}

// staleErrno is the errno procps reports for a key it finds read-only: it
// prints errno without a failing call, and what it holds then is the EINVAL
// realpath's readlink calls leave behind.
const staleErrno = unix.EINVAL

// writeSetting is WriteSetting for one command-line setting.
func (x *runner) writeSetting(set setting) (int, error) {
	st, err := os.Stat(set.path)
	if err != nil {
		if x.ignoreError {
			return 0, nil
		}
		x.warnErr("cannot stat "+set.path, err)
		return exitFailure, nil
	}
	resolved, ok := x.isProcPath(set.path)
	if !ok {
		return exitFailure, nil
	}
	key, w := slashdot(strings.TrimPrefix(set.path, procPath), '/', '.')
	x.warn(w)
	if st.Mode().Perm()&0o200 == 0 || st.IsDir() {
		x.warnErr(`setting key "`+key+`"`, staleErrno)
		return 0, nil
	}
	// The key was checked before anything was written; check again what
	// it resolves to, just before writing it.
	if rel := strings.TrimPrefix(resolved, procPath); !writable(rel) {
		return 0, errors.New(strings.TrimPrefix(refusal(rel), "sysctl: "))
	}
	rc := 0
	if !x.dryRun {
		rc = x.writeFile(set, resolved, key)
		if rc < 0 {
			return exitFailure, nil
		}
	}
	// As procps, this reports a value that could not be written when the
	// failure was ignored (-e, or a key written "-key=value").
	if (rc == 0 && !x.quiet) || x.dryRun {
		switch {
		case x.nameOnly, !x.printName && x.printNewline:
			fmt.Fprintln(x.out, set.value)
		case x.printName:
			fmt.Fprintf(x.out, "%s = %s\n", key, set.value)
		default:
			fmt.Fprint(x.out, set.value)
		}
	}
	return rc, nil
}

// writeFile opens and writes the sysctl file, file being set.path
// resolved. It returns the status so far, or -1 when the write itself
// failed (procps then returns at once).
func (x *runner) writeFile(set setting, file, key string) int {
	ignoring := ""
	if set.ignore {
		ignoring = ", ignoring"
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		switch {
		case errors.Is(err, unix.ENOENT):
			if x.ignoreError {
				return 0
			}
			x.warn(`sysctl: "` + key + `" is an unknown key` + ignoring)
		case errors.Is(err, unix.EPERM), errors.Is(err, unix.EROFS), errors.Is(err, unix.EACCES):
			x.warn(`sysctl: permission denied on key "` + key + `"` + ignoring)
		default:
			x.warnErr(`setting key "`+key+`"`+ignoring, err)
		}
		if set.ignore {
			return 0
		}
		return exitFailure
	}
	err = writeProc(f, set.value+"\n")
	f.Close()
	if err != nil {
		x.warnErr(`setting key "`+key+`"`, err)
		return -1
	}
	return 0
}

// writeProc writes a value in one write(2), as procps' proc_write does,
// and, as it does, tries once more when the kernel answers EINVAL.
func writeProc(f *os.File, value string) error {
	_, err := f.Write([]byte(value))
	if errors.Is(err, unix.EINVAL) {
		_, err = f.Write([]byte(value))
	}
	return err
}
