package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// fileSet follows the files of a scenario's work directory ($WORK): those
// of the archive, and those commands make, so that reads of missing files
// are found. Paths are kept relative to $WORK.
type fileSet struct {
	cwd     string // relative to $WORK
	lost    bool   // cd left $WORK: paths can no longer be followed
	wild    bool   // a real program ran: it may have made any file
	archive map[string]int
	made    map[string]bool // files and directories commands made
	moved   map[string]bool // targets of mv, which may be directories with files
	used    map[string]bool
	order   []string // archive names, in order
}

func newFileSet(a *txtar.Archive) *fileSet {
	f := &fileSet{archive: make(map[string]int), made: make(map[string]bool), moved: make(map[string]bool), used: make(map[string]bool)}
	line := 1 + strings.Count(string(a.Comment), "\n")
	for _, file := range a.Files {
		if name, ok := f.resolve(file.Name); ok && file.Name != "" {
			if _, dup := f.archive[name]; !dup {
				f.archive[name] = line
				f.order = append(f.order, name)
			}
		}
		line += 1 + strings.Count(string(file.Data), "\n")
	}
	return f
}

// resolve returns name's path relative to $WORK, and false when it is
// outside $WORK or cannot be followed.
func (f *fileSet) resolve(name string) (string, bool) {
	if rest, ok := strings.CutPrefix(name, "$WORK"); ok && (rest == "" || rest[0] == '/') {
		name = path.Clean("./" + rest)
	} else if path.IsAbs(name) || f.lost {
		return "", false
	} else {
		name = path.Join(f.cwd, name)
	}
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", false
	}
	return name, true
}

// exists reports whether name is a file or directory of the archive, made
// by a command, or one that cannot be followed (and so is not reported).
func (f *fileSet) exists(name string) bool {
	p, ok := f.resolve(name)
	if !ok || p == "." || f.wild {
		return true
	}
	if _, ok := f.archive[p]; ok {
		return true
	}
	if f.made[p] {
		return true
	}
	for q := path.Dir(p); q != "."; q = path.Dir(q) {
		if f.moved[q] {
			return true // inside a directory mv made
		}
	}
	for a := range f.archive {
		if strings.HasPrefix(a, p+"/") {
			return true // a directory of the archive
		}
	}
	return false
}

// make records that a command made name; src, when given, is the file
// copied there, which lands inside name if name is a directory.
func (f *fileSet) make(name, src string) {
	if p, ok := f.resolve(name); ok {
		f.made[p] = true
		if src != "" {
			f.made[path.Join(p, path.Base(src))] = true
		}
	}
}

// move records that mv made name, perhaps a directory with files in it.
func (f *fileSet) move(name string) {
	f.make(name, "")
	if p, ok := f.resolve(name); ok {
		f.moved[p] = true
	}
}

// cd follows testscript's cd.
func (f *fileSet) cd(dir string) {
	if p, ok := f.resolve(dir); ok {
		f.cwd = p
	} else {
		f.lost = true
	}
}

// use marks the archive files that args name.
func (f *fileSet) use(args []string) {
	for _, a := range args {
		if p, ok := f.resolve(a); ok {
			if _, ok := f.archive[p]; ok {
				f.used[p] = true
			}
		}
	}
}

// near returns an archive file whose name is one edit away from name's.
func (f *fileSet) near(name string) string {
	p, ok := f.resolve(name)
	if !ok {
		return ""
	}
	for _, a := range f.order {
		if almostEqual(p, a) {
			return a
		}
	}
	return ""
}

// archive checks the archive's files: names testscript cannot write, and
// names given twice (netscript's runner requires unique names).
func (c *check) archive() {
	seen := make(map[string]int)
	line := 1 + strings.Count(string(c.sc.Archive.Comment), "\n")
	for _, file := range c.sc.Archive.Files {
		switch p, ok := c.files.resolve(file.Name); {
		case file.Name == "":
			c.report(line, "archive file with an empty name")
		case !ok:
			c.report(line, "archive file %q is outside the scenario's directory", file.Name)
		default:
			if first, dup := seen[p]; dup {
				c.report(line, "archive file %q is given twice (first at line %d)", file.Name, first)
			} else {
				seen[p] = line
			}
		}
		line += 1 + strings.Count(string(file.Data), "\n")
	}
}

// unused reports archive files no command names.
func (c *check) unused() {
	if c.files.lost {
		return
	}
	for _, name := range c.files.order {
		if !c.files.used[name] {
			c.diags = append(c.diags, Diagnostic{c.name, c.files.archive[name],
				fmt.Sprintf("archive file %q is not used by any command", name), false})
		}
	}
}
