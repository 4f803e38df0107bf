package cli

import "strings"

// logsAll reports whether scenarios log every command and its output, not
// only a failure's: for -v, and for the HTML report, which shows them all.
func (f runFlags) logsAll() bool { return f.verbose || f.html != "" }

// withoutEnvDump drops the environment testscript prints at the start of a
// verbose scenario's log ("WORK=$WORK", then every variable, then an empty
// line): -v is for the commands and their outputs.
func withoutEnvDump(args []any) []any {
	if len(args) != 1 {
		return args
	}
	log, ok := args[0].(string)
	if !ok || !strings.HasPrefix(log, "WORK=") {
		return args
	}
	i := strings.Index(log, "\n\n")
	if i < 0 {
		return args
	}
	for _, line := range strings.Split(log[:i], "\n") {
		if k, _, ok := strings.Cut(line, "="); !ok || k == "" || strings.ContainsAny(k, " \t") {
			return args // not an environment after all
		}
	}
	return []any{log[i+2:]}
}
