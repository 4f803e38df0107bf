package scenariofile

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readTimeout bounds one Read in the tests: a FIFO must be refused at
// once, never waited on.
const readTimeout = 20 * time.Second

// readWithin calls Read and fails the test if it does not return in time.
func readWithin(t *testing.T, path string) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := Read(path)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-time.After(readTimeout):
		t.Fatalf("Read(%s) still blocked after %v", path, readTimeout)
		return nil, nil
	}
}

// makeFile makes one kind of file at path, as the tests and the fuzz
// target need it; data is the content of the regular ones.
func makeFile(t testing.TB, kind string, path string, data []byte) {
	t.Helper()
	var err error
	switch kind {
	case "regular":
		err = os.WriteFile(path, data, 0o644)
	case "symlink to regular":
		target := path + ".target"
		if err = os.WriteFile(target, data, 0o644); err == nil {
			err = os.Symlink(filepath.Base(target), path)
		}
	case "fifo":
		err = syscall.Mkfifo(path, 0o644)
	case "fifo with a writer":
		// A writer that keeps the FIFO open: a blocking read would wait
		// for it forever.
		if err = syscall.Mkfifo(path, 0o644); err == nil {
			var w *os.File
			w, err = os.OpenFile(path, os.O_RDWR, 0)
			if err == nil {
				t.Cleanup(func() { w.Close() })
			}
		}
	case "/dev/zero", "/dev/urandom", "/dev/null":
		err = os.Symlink(kind, path)
	case "directory":
		err = os.Mkdir(path, 0o755)
	case "socket":
		var l *net.UnixListener
		l, err = net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err == nil {
			t.Cleanup(func() { l.Close() })
		}
	case "sparse, over the cap":
		var f *os.File
		if f, err = os.Create(path); err == nil {
			err = errors.Join(f.Truncate(MaxSize+1), f.Close())
		}
	case "dangling symlink":
		err = os.Symlink("nowhere", path)
	case "symlink loop":
		err = os.Symlink(filepath.Base(path), path)
	case "missing":
	default:
		t.Fatalf("unknown kind %q", kind)
	}
	if err != nil {
		t.Fatalf("make %s %s: %v", kind, path, err)
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		kind string
		data []byte
		want string // the error's text after "PATH: ", or "" for success
	}{
		{kind: "regular", data: []byte("ip netns add a\n")},
		{kind: "regular", data: nil},
		{kind: "regular", data: bytes.Repeat([]byte("#"), MaxSize)},
		{kind: "regular", data: bytes.Repeat([]byte("#"), MaxSize+1), want: "larger than 16 MiB"},
		{kind: "symlink to regular", data: []byte("ip netns add a\n")},
		{kind: "fifo", want: "not a regular file (a FIFO)"},
		{kind: "fifo with a writer", want: "not a regular file (a FIFO)"},
		{kind: "/dev/zero", want: "not a regular file (a character device)"},
		{kind: "/dev/urandom", want: "not a regular file (a character device)"},
		{kind: "/dev/null", want: "not a regular file (a character device)"},
		{kind: "directory", want: "not a regular file (a directory)"},
		{kind: "socket", want: "not a regular file (a socket)"},
		{kind: "sparse, over the cap", want: "larger than 16 MiB"},
		{kind: "dangling symlink", want: "no such file or directory"},
		{kind: "symlink loop", want: "too many levels of symbolic links"},
		{kind: "missing", want: "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.txtar")
			makeFile(t, tt.kind, path, tt.data)
			data, err := readWithin(t, path)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Read: %v", err)
			case tt.want == "" && !bytes.Equal(data, tt.data):
				t.Fatalf("Read returned %d bytes, want the file's %d", len(data), len(tt.data))
			case tt.want == "":
			case err == nil:
				t.Fatalf("Read returned %d bytes and no error, want %q", len(data), tt.want)
			case !strings.Contains(err.Error(), path) || !strings.HasSuffix(err.Error(), tt.want):
				t.Fatalf("Read: %v\nwant %s: %s", err, path, tt.want)
			}
		})
	}
}

// TestReadKeepsFIFOUnread checks that refusing a FIFO does not consume
// what a writer put in it.
func TestReadKeepsFIFOUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.txtar")
	makeFile(t, "fifo", path, nil)
	rw, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if _, err := rw.Write([]byte("ip netns add a\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := readWithin(t, path); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("Read: %v, want ErrNotRegular", err)
	}
	if err := rw.SetReadDeadline(time.Now().Add(readTimeout)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := rw.Read(buf)
	if err != nil || string(buf[:n]) != "ip netns add a\n" {
		t.Fatalf("the FIFO holds %q (%v), want what was written", buf[:n], err)
	}
}

// FuzzRead: whatever the file is (regular with any content, a FIFO with
// or without a writer, a symlink to /dev/zero or /dev/urandom, a directory,
// a socket, a sparse file over the cap, a dangling symlink), Read returns
// at once with the file's content, or an error naming the file; it never
// blocks and never reads more than MaxSize+1 bytes.
func FuzzRead(f *testing.F) {
	for i := range fuzzKinds {
		f.Add(uint8(i), []byte("ip netns add a\n-- want --\nx\n"))
	}
	f.Add(uint8(0), []byte{})
	f.Fuzz(func(t *testing.T, k uint8, data []byte) {
		kind := fuzzKinds[int(k)%len(fuzzKinds)]
		path := filepath.Join(t.TempDir(), "x.txtar")
		makeFile(t, kind, path, data)
		got, err := readWithin(t, path)
		regular := kind == "regular" || kind == "symlink to regular"
		switch {
		case regular && err != nil:
			t.Fatalf("%s: Read: %v", kind, err)
		case regular && !bytes.Equal(got, data):
			t.Fatalf("%s: Read returned other bytes than the file's", kind)
		case regular:
		case err == nil:
			t.Fatalf("%s: Read returned %d bytes and no error", kind, len(got))
		case !strings.Contains(err.Error(), path):
			t.Fatalf("%s: the error does not name the file: %v", kind, err)
		case kind == "sparse, over the cap" && !errors.Is(err, ErrTooLarge):
			t.Fatalf("%s: Read: %v, want ErrTooLarge", kind, err)
		case kind != "sparse, over the cap" && kind != "dangling symlink" && !errors.Is(err, ErrNotRegular):
			t.Fatalf("%s: Read: %v, want ErrNotRegular", kind, err)
		}
	})
}

var fuzzKinds = []string{
	"regular", "symlink to regular", "fifo", "fifo with a writer", "/dev/zero", "/dev/urandom",
	"/dev/null", "directory", "socket", "sparse, over the cap", "dangling symlink",
}
