package topology

import (
	"os"
	"regexp"
	"strings"

	"github.com/netscript/netscript/script"
)

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

	// Act is the command parsed with the command table, once, as the
	// runner parses it, for the topology and for lint; InTable reports
	// whether the table has the command, and ParseErr is its parse error
	// (a *script.Fallback for a form that runs the real tool).
	Act      script.Action
	InTable  bool
	ParseErr error
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
