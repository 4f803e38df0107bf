package lint

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/topology"
)

// builtin describes one of testscript's own commands: whether it refuses
// "!", and a check of its arguments that returns testscript's complaint.
type builtin struct {
	noNeg bool
	check func(c *check, l topology.Line) string
}

// builtins are testscript's commands (go-internal v1.16's scriptCmds), with
// the checks testscript makes of their arguments and of the files they
// read. Messages are testscript's where it has one.
var builtins map[string]*builtin

func init() {
	builtins = map[string]*builtin{
		"cd":       {true, nargs(1, 1, "usage: cd dir", (*check).cd)},
		"chmod":    {true, nargs(2, -1, "usage: chmod perm paths...", (*check).chmod)},
		"cmp":      {false, nargs(2, 2, "usage: cmp file1 file2", (*check).cmp)},
		"cmpenv":   {false, nargs(2, 2, "usage: cmpenv file1 file2", (*check).cmp)},
		"cp":       {true, nargs(2, -1, "usage: cp src... dst", (*check).cp)},
		"env":      {true, nil},
		"exec":     {false, (*check).exec},
		"exists":   {false, (*check).exists},
		"grep":     {false, match(" file")},
		"kill":     {true, (*check).kill},
		"mkdir":    {true, nargs(1, -1, "usage: mkdir dir...", (*check).made)},
		"mv":       {true, nargs(2, 2, "usage: mv old new", (*check).mv)},
		"rm":       {true, nargs(1, -1, "usage: rm file...", nil)},
		"skip":     {true, nargs(0, 1, "usage: skip [msg]", nil)},
		"stderr":   {false, match("")},
		"stdin":    {true, nargs(1, 1, "usage: stdin filename", (*check).read)},
		"stdout":   {false, match("")},
		"stop":     {true, nargs(0, 1, "usage: stop [msg]", nil)},
		"symlink":  {true, (*check).symlink},
		"ttyin":    {true, (*check).ttyin},
		"ttyout":   {false, match("")},
		"unix2dos": {true, nargs(1, -1, "usage: unix2dos paths...", (*check).read)},
		"unquote":  {true, nargs(0, -1, "", (*check).read)},
		"wait":     {true, nargs(0, 1, "usage: wait [name]", nil)},
	}
}

// nargs checks that a builtin has between lo and hi arguments (hi < 0: no
// limit), then runs more, if any, on them.
func nargs(lo, hi int, usage string, more func(c *check, num int, args []string) string) func(*check, topology.Line) string {
	return func(c *check, l topology.Line) string {
		args := l.Args[1:]
		if len(args) < lo || (hi >= 0 && len(args) > hi) {
			return usage
		}
		if more == nil {
			return ""
		}
		return more(c, l.Num, args)
	}
}

// match checks stdout, stderr, ttyout and grep: [-count=N] 'pattern' plus,
// for grep, a file.
func match(extra string) func(*check, topology.Line) string {
	return func(c *check, l topology.Line) string {
		name, args := l.Args[0], l.Args[1:]
		if len(args) > 0 && strings.HasPrefix(args[0], "-count=") {
			if l.Neg {
				return "cannot use -count= with negated match"
			}
			n, err := strconv.Atoi(strings.TrimPrefix(args[0], "-count="))
			if err != nil {
				return fmt.Sprintf("bad -count=: %v", err)
			}
			if n < 1 {
				return "bad -count=: must be at least 1"
			}
			args = args[1:]
		}
		want := 1
		if extra != "" {
			want = 2
		}
		if len(args) != want {
			return fmt.Sprintf("usage: %s [-count=N] 'pattern'%s", name, extra)
		}
		if _, err := regexp.Compile("(?m)" + args[0]); err != nil {
			return fmt.Sprintf("%s: bad regexp: %v", name, err)
		}
		if extra != "" {
			return c.need(args[1], name, false)
		}
		return ""
	}
}

func (c *check) cd(_ int, args []string) string {
	c.files.cd(args[0])
	return ""
}

func (c *check) chmod(_ int, args []string) string {
	if _, err := strconv.ParseUint(args[0], 8, 32); err != nil {
		return "invalid mode: " + args[0]
	}
	return ""
}

func (c *check) cmp(_ int, args []string) string {
	if args[0] == args[1] {
		return "cmp: cannot compare a file against itself"
	}
	if isStd(args[1]) && !isStd(args[0]) {
		return fmt.Sprintf("cmp reads only its first file from the last command's output: write \"cmp %s %s\"", args[1], args[0])
	}
	if msg := c.need(args[0], "cmp", true); msg != "" {
		return msg
	}
	return c.need(args[1], "cmp", false)
}

func (c *check) cp(_ int, args []string) string {
	dst := args[len(args)-1]
	for _, src := range args[:len(args)-1] {
		if msg := c.need(src, "cp", true); msg != "" {
			return msg
		}
		c.files.make(dst, src)
	}
	return ""
}

func (c *check) mv(_ int, args []string) string {
	if msg := c.need(args[0], "mv", false); msg != "" {
		return msg
	}
	c.files.move(args[1])
	return ""
}

func (c *check) made(_ int, args []string) string {
	for _, d := range args {
		c.files.make(d, "")
	}
	return ""
}

func (c *check) read(_ int, args []string) string {
	for _, f := range args {
		if msg := c.need(f, "", false); msg != "" {
			return msg
		}
	}
	return ""
}

func (c *check) exec(l topology.Line) string {
	args := l.Args[1:]
	if len(args) < 1 || (len(args) == 1 && args[0] == "&") {
		return "usage: exec program [args...] [&]"
	}
	c.files.wild = true // the program may write any file
	if cmd := c.table[args[0]]; cmd != nil && !cmd.Background {
		c.realTopology(l.Num) // the real ip (or bridge) may change anything
	}
	return ""
}

func (c *check) exists(l topology.Line) string {
	args := l.Args[1:]
	if len(args) > 0 && args[0] == "-readonly" {
		args = args[1:]
	}
	if len(args) == 0 {
		return "usage: exists [-readonly] file..."
	}
	return ""
}

func (c *check) kill(l topology.Line) string {
	args := l.Args[1:]
	if len(args) > 2 {
		return "usage: kill [-SIGNAL] [name]"
	}
	if len(args) > 0 {
		if sig, ok := strings.CutPrefix(args[0], "-"); ok && sig != "INT" && sig != "KILL" {
			return "unknown signal: " + sig
		}
	}
	return ""
}

func (c *check) symlink(l topology.Line) string {
	args := l.Args[1:]
	if len(args) != 3 || args[1] != "->" {
		return "usage: symlink file -> target"
	}
	c.files.make(args[0], "")
	return ""
}

func (c *check) ttyin(l topology.Line) string {
	args := l.Args[1:]
	if len(args) > 0 && args[0] == "-stdin" {
		args = args[1:]
	}
	if len(args) != 1 {
		return "usage: ttyin [-stdin] filename"
	}
	return c.need(args[0], "ttyin", false)
}

// isStd reports whether name is one of the outputs testscript keeps.
func isStd(name string) bool { return name == "stdout" || name == "stderr" || name == "ttyout" }

// need checks that a file a command reads is there: in the archive or made
// by an earlier command. std allows the last command's outputs.
func (c *check) need(name, cmd string, std bool) string {
	if std && isStd(name) {
		return ""
	}
	if c.files.exists(name) {
		return ""
	}
	prefix := ""
	if cmd != "" {
		prefix = cmd + ": "
	}
	msg := fmt.Sprintf("%sfile %q is not in the archive (no \"-- %s --\" section) and no earlier command makes it", prefix, name, name)
	if near := c.files.near(name); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// Builtins returns the names of testscript's own commands, sorted.
func Builtins() []string {
	return slices.Sorted(maps.Keys(builtins))
}
