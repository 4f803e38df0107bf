package sysctl

import (
	"strings"

	"github.com/netscript/netscript/internal/cnum"
)

// procPath is where the kernel shows its sysctls (PROC_PATH).
const procPath = "/proc/sys/"

// slashdot is procps' slashdot(): it swaps the separators '.' and '/' of a
// key, unless its first separator is already new (the key is then in the
// wanted form). It returns the warning procps prints, the first time two
// separators follow each other, or "".
func slashdot(key string, old, new byte) (string, string) {
	i := strings.IndexAny(key, "/.")
	if i < 0 || key[i] == new {
		return key, ""
	}
	b := []byte(key)
	warning := ""
	for ; i < len(b); i++ {
		c := b[i]
		if c != '/' && c != '.' {
			continue
		}
		if warning == "" && i+1 < len(b) && (b[i+1] == '/' || b[i+1] == '.') {
			warning = "sysctl: separators should not be repeated: " + string(b[i:])
		}
		switch c {
		case old:
			b[i] = new
		case new:
			b[i] = old
		}
	}
	return string(b), warning
}

// setting is a command-line write, procps' SysctlSetting.
type setting struct {
	key    string // as written, without a leading '-'
	path   string // the file under /proc/sys
	value  string
	ignore bool // "-key=value": failures to open are not errors
	warn   string
}

// parseSettingLine is procps' parse_setting_line for a command-line
// argument. ok is false for a line procps skips with status 1; msg is the
// warning it prints then ("" for none).
func parseSettingLine(line string, pattern func(string) bool) (s setting, ok bool, msg string) {
	key := strings.TrimLeftFunc(line, cnum.IsSpace)
	if len(key) < 2 || key[0] == '#' || key[0] == ';' {
		return s, false, ""
	}
	if pattern != nil && !pattern(key) {
		return s, false, ""
	}
	k, value, hasValue := strings.Cut(key, "=")
	if !hasValue {
		// "-key" excludes a glob match in a file; on the command line it
		// "writes" a NULL value, which glibc prints as "(null)".
		if key[0] != '-' {
			return s, false, "sysctl: command line(0): invalid syntax, continuing..."
		}
		k, value = key[1:], "(null)"
	} else if k != "" && k[0] == '-' {
		s.ignore = true
		k = k[1:]
	}
	s.key = strings.TrimRightFunc(k, cnum.IsSpace)
	if hasValue {
		value = strings.TrimFunc(value, cnum.IsSpace)
	}
	s.value = value
	s.path, s.warn = settingPath(s.key)
	return s, true, ""
}

// settingPath is setting_new's path: the key under /proc/sys with '.'
// turned into '/'. setting_new drops a leading '-' once more.
func settingPath(key string) (string, string) {
	p, warn := slashdot(strings.TrimPrefix(key, "-"), '.', '/')
	return procPath + p, warn
}
