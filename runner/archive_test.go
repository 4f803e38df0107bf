package runner

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readArchiveWithin calls ReadArchive and fails the test if it does not
// return in time: no file may block it.
func readArchiveWithin(t *testing.T, file string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := ReadArchive(file)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("ReadArchive(%s) still running after a minute", file)
		return nil
	}
}

// TestReadArchiveRefuses checks that the files run (and go test) refuse
// before anything runs get the message check gives, at the same line.
func TestReadArchiveRefuses(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string) error
		want string // after "PATH"; "" for a good file
	}{
		{"good", text("ip netns add a\n-- x --\n"), ""},
		{"fifo", func(t *testing.T, p string) error { return syscall.Mkfifo(p, 0o644) }, ": not a regular file (a FIFO)"},
		{"dev zero", func(t *testing.T, p string) error { return os.Symlink("/dev/zero", p) }, ": not a regular file (a character device)"},
		{"dev urandom", func(t *testing.T, p string) error { return os.Symlink("/dev/urandom", p) }, ": not a regular file (a character device)"},
		{"directory", func(t *testing.T, p string) error { return os.Mkdir(p, 0o755) }, ": not a regular file (a directory)"},
		{"over 16 MiB", func(t *testing.T, p string) error {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				return err
			}
			return os.Truncate(p, 16<<20+1)
		}, ": larger than 16 MiB"},
		{"empty", text(""), ": the scenario has no commands"},
		{"comments only", text("# nothing\n\n# to do\n-- x --\n"), ": the scenario has no commands"},
		{"dot dot", text("ip netns add a\n-- ../../x --\nhi\n"), `:2: archive file "../../x" is outside the scenario's directory`},
		{"absolute", text("ip netns add a\n-- /tmp/x --\nhi\n"), `:2: archive file "/tmp/x" is outside the scenario's directory`},
		{"$WORK", text("ip netns add a\n-- $WORK/x --\n"),
			`:2: archive file "$WORK/x" is outside the scenario's directory (written as "/x": variables are empty when testscript writes the archive)`},
		{"twice", text("ip netns add a\n-- x --\na\n-- x --\nb\n"), `:4: archive file "x" is given twice (first at line 2)`},
		{"inside a file", text("ip netns add a\n-- a --\n-- a/b --\n"), `:3: archive file "a/b" is inside "a", a file of the archive (line 2)`},
		{"long name", text("ip netns add a\n-- " + strings.Repeat("n", 256) + " --\n"),
			`:2: archive file "` + strings.Repeat("n", 80) + `"...: a name in its path is 256 bytes long, over the kernel's 255`},
		{"unnamed marker", text("ip netns add a\n-- --\n"), `:2: "-- --" is a file marker without a name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.txtar")
			if err := tt.make(t, path); err != nil {
				t.Fatal(err)
			}
			err := readArchiveWithin(t, path)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ReadArchive: %v", err)
			case tt.want == "":
			case err == nil || err.Error() != path+tt.want:
				t.Fatalf("ReadArchive: %v\nwant %s%s", err, path, tt.want)
			}
		})
	}
}

func text(s string) func(*testing.T, string) error {
	return func(_ *testing.T, p string) error { return os.WriteFile(p, []byte(s), 0o644) }
}

// TestRunTRefusesBeforeWriting runs scenarios whose archive files would
// land outside the work directory: each fails with file:line, and nothing
// is written, neither outside nor in a work directory.
func TestRunTRefusesBeforeWriting(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // testscript's work directories, and ../../ from them
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	files := map[string]string{
		"dotdot.txtar":   "ip netns add a\n-- ../../escaped --\nhi\n",
		"absolute.txtar": "ip netns add a\n-- " + outside + " --\nhi\n",
		"work.txtar":     "ip netns add a\n-- $WORK" + outside + " --\nhi\n",
		"fifo.txtar":     "",
		"empty.txtar":    "# no commands\n",
	}
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		paths = append(paths, p)
		var err error
		if name == "fifo.txtar" {
			err = syscall.Mkfifo(p, 0o644)
		} else {
			err = os.WriteFile(p, []byte(data), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	ft := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunT(ft, paths)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("RunT still running after a minute")
	}
	log := ft.String()
	if !ft.Failed() {
		t.Errorf("RunT did not fail; log:\n%s", log)
	}
	for _, want := range []string{
		filepath.Join(dir, "dotdot.txtar") + `:2: archive file "../../escaped" is outside the scenario's directory`,
		filepath.Join(dir, "absolute.txtar") + `:2: archive file "` + outside + `" is outside the scenario's directory`,
		filepath.Join(dir, "work.txtar") + `:2: archive file "$WORK` + outside + `" is outside the scenario's directory`,
		filepath.Join(dir, "fifo.txtar") + `: not a regular file (a FIFO)`,
		filepath.Join(dir, "empty.txtar") + `: the scenario has no commands`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q; log:\n%s", want, log)
		}
	}
	for _, p := range []string{outside, filepath.Join(tmp, "escaped"), filepath.Join(filepath.Dir(tmp), "escaped")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) > 0 {
		t.Errorf("TMPDIR has %d entries (%v), want none: testscript ran", len(entries), err)
	}
}
