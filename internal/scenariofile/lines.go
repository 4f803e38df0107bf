package scenariofile

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// Script is a scenario file read without running it: its archive and its
// command lines, lexed as testscript lexes them. Every reader of scenarios
// (the runner, netscript check and graph, the tests and the benchmarks)
// reads lines through it, so that they all see the same words.
type Script struct {
	Archive *txtar.Archive
	// Lines are the script's command lines, in order; blank and comment
	// lines are left out.
	Lines []Line
	// UnnamedMarkers are the numbers of the lines "-- --": a file marker
	// without a name, on which testscript's txtar parser panics. Parse
	// reads them as plain text.
	UnnamedMarkers []int
}

// UnnamedMarkerMsg is the message for a line of Script.UnnamedMarkers.
const UnnamedMarkerMsg = `"-- --" is a file marker without a name, on which testscript's txtar parser panics`

// Parse reads the scenario in data. Variables are expanded with the static
// values testscript gives them and what earlier "env" lines set; the
// error is a panic of the txtar parser, which the guard against "-- --"
// should leave none of.
func Parse(data []byte) (sc *Script, err error) {
	data, bad := unnamedMarkers(data)
	defer func() {
		if r := recover(); r != nil {
			sc, err = nil, fmt.Errorf("not a txtar archive: %v", r)
		}
	}()
	sc = &Script{Archive: txtar.Parse(data), UnnamedMarkers: bad}
	e := newEnv()
	stopped := false
	for i, text := range strings.Split(string(sc.Archive.Comment), "\n") {
		l, ok := readLine(i+1, text, e)
		if !ok {
			continue
		}
		l.Stopped = stopped
		sc.Lines = append(sc.Lines, l)
		if l.Err != "" || len(l.Args) == 0 || stopped || l.Neg {
			continue
		}
		switch l.Args[0] {
		case "env":
			e.apply(l.Args[1:])
		case "stop", "skip":
			stopped = len(l.Conds) == 0
		}
	}
	return sc, nil
}

// unnamedMarkers finds the lines "-- --", on which txtar.Parse panics
// (go-internal v1.16 slices the name out of "-- " and " --" overlapping),
// and returns data with them made harmless ("--  --" is no marker).
func unnamedMarkers(data []byte) ([]byte, []int) {
	var bad []int
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, l := range lines {
		if string(bytes.TrimRight(l, "\r\n")) == "-- --" {
			bad = append(bad, i+1)
		}
	}
	if bad == nil {
		return data, nil
	}
	var b bytes.Buffer
	for i, l := range lines {
		if slices.Contains(bad, i+1) {
			l = append([]byte("--  --"), l[len("-- --"):]...)
		}
		b.Write(l)
	}
	return b.Bytes(), bad
}

// Line is one command line of a scenario, read the way testscript reads
// it: words split at blanks, '...' quoting (” for a quote inside), $VAR
// expanded outside quotes, a "#" outside quotes ending the line, then any
// [condition] prefixes and a "!" prefix.
type Line struct {
	Num  int    // line number in the file, from 1
	Text string // the line as written

	Conds []string // the [condition] prefixes, without brackets
	Neg   bool     // "!": the command is expected to fail
	Args  []string // the command and its arguments, expanded

	// Err is what makes the line unrunnable ("unterminated quoted
	// argument"), as testscript would report it; Args is then unreliable.
	Err string
	// Unset names the variables the line expands that no earlier "env"
	// set and testscript does not provide: they expand to "".
	Unset []string
	// Stopped is set on the lines after an unconditional "stop" or
	// "skip": testscript never runs them.
	Stopped bool
}

// Static values of the variables testscript sets up for every script.
// Those that depend on the machine stand for themselves.
var baseEnv = map[string]string{
	"WORK":        "$WORK",
	"PATH":        "$PATH",
	"GOTRACEBACK": "system",
	"HOME":        "/no-home",
	"TMPDIR":      "$WORK/.tmp",
	"devnull":     os.DevNull,
	"/":           "/",
	":":           ":",
	"$":           "$",
	"exe":         "",
	"GOCOVERDIR":  "$GOCOVERDIR",
	"GORACE":      "$GORACE",
}

// env is the static environment of a script being read.
type env map[string]string

func newEnv() env {
	e := make(env, len(baseEnv))
	for k, v := range baseEnv {
		e[k] = v
	}
	return e
}

// expand expands $VAR and ${VAR} in s as testscript does, noting unset
// variables in unset.
func (e env) expand(s string, unset *[]string) string {
	return os.Expand(s, func(key string) string {
		if k, ok := strings.CutSuffix(key, "@R"); ok {
			return regexp.QuoteMeta(e.get(k, unset))
		}
		return e.get(key, unset)
	})
}

func (e env) get(key string, unset *[]string) string {
	v, ok := e[key]
	if !ok {
		*unset = append(*unset, key)
	}
	return v
}

// apply records what an "env" command sets.
func (e env) apply(args []string) {
	for _, kv := range args {
		if k, v, ok := strings.Cut(kv, "="); ok {
			e[k] = v
		}
	}
}

// readLine parses one line of a script with the environment e. It returns
// false for blank and comment-only lines.
func readLine(num int, text string, e env) (Line, bool) {
	l := Line{Num: num, Text: text}
	if strings.HasPrefix(text, "#") {
		return l, false
	}
	words, err := split(text, func(s string) string { return e.expand(s, &l.Unset) })
	if len(words) == 0 && err == "" {
		return l, false
	}
	l.Err = err
	for len(words) > 0 && strings.HasPrefix(words[0], "[") && strings.HasSuffix(words[0], "]") {
		l.Conds = append(l.Conds, strings.TrimSpace(words[0][1:len(words[0])-1]))
		words = words[1:]
		if len(words) == 0 && l.Err == "" {
			l.Err = "missing command after condition"
		}
	}
	if len(words) > 0 && words[0] == "!" {
		l.Neg = true
		words = words[1:]
		if len(words) == 0 && l.Err == "" {
			l.Err = "! on line by itself"
		}
	}
	if len(words) > 0 {
		l.Args = words
	}
	return l, true
}

// split is testscript's TestScript.parse: words separated by blanks,
// '...' quoting, expansion of unquoted text, "#" outside quotes ending
// the line. It returns testscript's message for an unterminated quote.
func split(line string, expand func(string) string) ([]string, string) {
	var (
		args   []string
		arg    string // text of the current word so far
		start  = -1   // where the current unsaved chunk starts, or -1
		quoted bool
	)
	for i := 0; ; i++ {
		if !quoted && (i >= len(line) || line[i] == ' ' || line[i] == '\t' || line[i] == '\r' || line[i] == '#') {
			if start >= 0 {
				arg += expand(line[start:i])
				args = append(args, arg)
				start, arg = -1, ""
			}
			if i >= len(line) || line[i] == '#' {
				return args, ""
			}
			continue
		}
		if i >= len(line) {
			return args, "unterminated quoted argument"
		}
		if line[i] == '\'' {
			if !quoted {
				if start >= 0 {
					arg += expand(line[start:i])
				}
				start, quoted = i+1, true
				continue
			}
			if i+1 < len(line) && line[i+1] == '\'' {
				arg += line[start:i]
				start = i + 1
				i++
				continue
			}
			arg += line[start:i]
			start, quoted = i+1, false
			continue
		}
		if start < 0 {
			start = i
		}
	}
}
