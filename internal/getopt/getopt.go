// Package getopt reads command lines the way glibc's getopt_long does, with
// its error messages, for the imitations of C tools (net-tools route, procps
// sysctl) whose behaviour on odd command lines depends on it.
//
// What it reproduces: options and operands in any order (GNU permutation),
// "--" ending the options, clustered short options (-ne), short option
// arguments attached or separate (-Ainet, -A inet), optional arguments only
// attached (-pfile), long options abbreviated to any unambiguous prefix, with
// arguments after "=" or in the next word, and glibc's rule that a prefix
// matching several long options is not ambiguous when they all mean the same.
package getopt

import (
	"fmt"
	"strings"
)

// Argument kinds of a long option, as in <getopt.h>.
const (
	NoArgument       = 0
	RequiredArgument = 1
	OptionalArgument = 2
)

// Long is a long option: its name without "--", whether it takes an
// argument, and the value getopt_long returns for it.
type Long struct {
	Name   string
	HasArg int
	Val    int
}

// Opt is one option read from the command line, in the order given.
type Opt struct {
	// C is what getopt_long returns: the option character, a long
	// option's Val, or '?' for a mistake (Err then holds the message).
	C int
	// Arg is the option's argument; HasArg tells an empty one from none.
	Arg    string
	HasArg bool
	// Index is the Long entry matched, or -1 for a short option.
	Index int
	// Err is the message glibc prints to stderr for a mistake, without
	// the trailing newline.
	Err string
}

// Spec is a program's options: its name for messages (argv[0] as the tool
// is usually run), the short option string and the long options.
type Spec struct {
	Prog  string
	Short string
	Long  []Long
}

// Parse reads args (without the program name) and returns the options in
// order and the operands, permuted after them as GNU getopt does. A Spec
// without long options reads as getopt(3) rather than getopt_long: "--x"
// is then a cluster of short options, the first of them an invalid '-'.
func (sp *Spec) Parse(args []string) (opts []Opt, operands []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(operands, args[i+1:]...)
		case strings.HasPrefix(a, "--") && sp.Long != nil:
			o, used := sp.long(a[2:], args[i+1:])
			i += used
			opts = append(opts, o)
		case len(a) > 1 && a[0] == '-':
			o, used := sp.shorts(a[1:], args[i+1:])
			i += used
			opts = append(opts, o...)
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands
}

// shorts reads one word of clustered short options; used counts the
// following words taken as an argument.
func (sp *Spec) shorts(word string, rest []string) (opts []Opt, used int) {
	for j := 0; j < len(word); j++ {
		c := word[j]
		k := strings.IndexByte(sp.Short, c)
		if k < 0 || c == ':' || c == ';' {
			opts = append(opts, Opt{C: '?', Index: -1,
				Err: fmt.Sprintf("%s: invalid option -- '%c'", sp.Prog, c)})
			continue
		}
		kind := NoArgument
		if strings.HasPrefix(sp.Short[k+1:], "::") {
			kind = OptionalArgument
		} else if strings.HasPrefix(sp.Short[k+1:], ":") {
			kind = RequiredArgument
		}
		o := Opt{C: int(c), Index: -1}
		switch {
		case kind == NoArgument:
		case j+1 < len(word):
			o.Arg, o.HasArg = word[j+1:], true
			j = len(word)
		case kind == OptionalArgument:
		case len(rest) > 0:
			o.Arg, o.HasArg = rest[0], true
			used = 1
		default:
			o = Opt{C: '?', Index: -1,
				Err: fmt.Sprintf("%s: option requires an argument -- '%c'", sp.Prog, c)}
		}
		opts = append(opts, o)
	}
	return opts, used
}

// long reads "--text": text is the option after "--", possibly with
// "=value"; used counts the following words taken as its argument.
func (sp *Spec) long(text string, rest []string) (o Opt, used int) {
	name, value, hasValue := strings.Cut(text, "=")
	idx := -1
	for k, l := range sp.Long {
		if l.Name == name {
			idx = k
			break
		}
	}
	if idx < 0 {
		var ambiguous []int
		for k, l := range sp.Long {
			if !strings.HasPrefix(l.Name, name) {
				continue
			}
			if idx < 0 {
				idx = k
				continue
			}
			first := sp.Long[idx]
			if first.HasArg != l.HasArg || first.Val != l.Val {
				if ambiguous == nil {
					ambiguous = []int{idx}
				}
				ambiguous = append(ambiguous, k)
			}
		}
		if ambiguous != nil {
			var b strings.Builder
			fmt.Fprintf(&b, "%s: option '--%s' is ambiguous; possibilities:", sp.Prog, text)
			for _, k := range ambiguous {
				fmt.Fprintf(&b, " '--%s'", sp.Long[k].Name)
			}
			return Opt{C: '?', Index: -1, Err: b.String()}, 0
		}
	}
	if idx < 0 {
		return Opt{C: '?', Index: -1,
			Err: fmt.Sprintf("%s: unrecognized option '--%s'", sp.Prog, text)}, 0
	}
	l := sp.Long[idx]
	o = Opt{C: l.Val, Index: idx}
	switch {
	case hasValue && l.HasArg == NoArgument:
		return Opt{C: '?', Index: -1,
			Err: fmt.Sprintf("%s: option '--%s' doesn't allow an argument", sp.Prog, l.Name)}, 0
	case hasValue:
		o.Arg, o.HasArg = value, true
	case l.HasArg == RequiredArgument && len(rest) > 0:
		o.Arg, o.HasArg = rest[0], true
		used = 1
	case l.HasArg == RequiredArgument:
		return Opt{C: '?', Index: -1,
			Err: fmt.Sprintf("%s: option '--%s' requires an argument", sp.Prog, l.Name)}, 0
	}
	return o, used
}
