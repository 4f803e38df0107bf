// Package scenariofile is netscript's one scenario reader: it finds the
// files (Expand), reads them (Read), lexes their lines as testscript does
// (Parse; FuzzLexMatchesTestscript checks the lexer against testscript
// itself), guards against the "-- --" marker that panics txtar's parser,
// and finds what stops a scenario before its first line runs (Check).
// "netscript run", "netscript check", "netscript graph", runner.Run (under
// go test), the tests and the benchmarks all read scenarios through it, so
// that they see the same words and refuse the same files with the same
// message:
//
//   - Read takes regular files only, of at most MaxSize bytes: a FIFO, a
//     device (a symlink to /dev/zero), a directory or a socket named
//     x.txtar is refused, never read (or waited on) forever;
//   - Check finds the archive files testscript cannot write where it
//     should (outside the work directory, twice, over a file of the
//     archive, names too long), a scenario without commands, and a file
//     name too long for testscript's work directory, each at its line.
package scenariofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// MaxSize is the largest scenario file Read accepts: 16 MiB, far above
// any scenario (the reference ones are a few KiB) and far below what would
// exhaust memory.
const MaxSize = 16 << 20

// maxSizeText is MaxSize as the error messages say it.
const maxSizeText = "16 MiB"

// ErrNotRegular is wrapped by Read's error for a path that is not a
// regular file.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by Read's error for a file over MaxSize bytes.
var ErrTooLarge = errors.New("larger than " + maxSizeText)

// Read returns the contents of the scenario file at path. It refuses what is
// not a regular file once symlinks are followed ("x.txtar: not a regular
// file (a FIFO)") and files over MaxSize bytes ("x.txtar: larger than 16
// MiB"). The file is opened with O_NONBLOCK, so that a FIFO swapped in
// after the first check cannot block the open, and checked again on the
// open descriptor, so that what is read is what was checked.
func Read(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, info); err != nil {
		return nil, err // not even opened: opening a device may have effects
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		if errors.Is(err, unix.ENXIO) {
			// A socket (or a FIFO without a writer, for O_WRONLY) that
			// appeared since the Stat.
			return nil, fmt.Errorf("%s: %w (a socket or a device)", path, ErrNotRegular)
		}
		return nil, err
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return nil, err
	}
	if err := regular(path, info); err != nil {
		return nil, err
	}
	if info.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %w", path, ErrTooLarge)
	}
	// A regular file's size may still grow while it is read, and some
	// (in /proc) report 0: read at most one byte over the limit to tell.
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%s: %w", path, ErrTooLarge)
	}
	return data, nil
}

// regular returns nil if info is a regular file's, or else the error
// naming what it is.
func regular(path string, info fs.FileInfo) error {
	if info.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, Kind(info.Mode()))
}

// Kind names the type of file mode describes: "a FIFO", "a directory", ...
func Kind(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode&fs.ModeIrregular != 0:
		return "a file of an unknown type"
	}
	return "a special file"
}
