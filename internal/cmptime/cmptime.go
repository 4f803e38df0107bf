// Package cmptime implements the scenario command "cmptime": testscript's
// cmp, except for the timing figures of ping's output, so that a ping
// transcript pasted from a terminal is a golden file.
package cmptime

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/netscript/netscript/script"
)

// Exit statuses: 1 when the outputs differ, 2 for usage errors.
const (
	exitDiffer = 1
	exitUsage  = 2
)

// Usage documents cmptime in the command table.
var Usage = script.Usage{
	Summary: "compare the last output with a file, as cmp, except ping's timing figures",
	Args:    "stdout|stderr FILE",
	Detail: []string{
		"cmptime compares what the previous command printed on stdout (or stderr) with FILE, " +
			"a file of the scenario, as testscript's cmp does, except for the figures that " +
			"depend on timing: ping's \"time=X ms\" on reply lines, \"time Nms\" on the " +
			"statistics line, the values of \"rtt min/avg/max/mdev = ...\", \", pipe N\" and " +
			"\"ipg/ewma X/Y ms\". Everything else (counts, addresses, sequence numbers, ttl, " +
			"the order of lines) must be the same, so ping output pasted from a terminal is " +
			"a golden file as it is.",
		"When they differ, cmptime logs a unified diff of the two texts with their timing " +
			"figures shown as T, and fails. With -update (netscript run -update, go test " +
			"-update, NETSCRIPT_UPDATE=1), a FILE of the scenario's archive is rewritten with " +
			"the real output instead. \"! cmptime\" expects the texts to differ.",
	},
}

// Cmd returns the "cmptime" entry of the command table.
func Cmd() *script.Cmd {
	return &script.Cmd{Name: "cmptime", Usage: Usage, Parse: parse, Checks: true}
}

func parse(args []string) (script.Action, error) {
	if len(args) != 2 {
		return nil, script.Errorf(exitUsage, "usage: cmptime stdout|stderr FILE")
	}
	stream, file := args[0], args[1]
	if stream != "stdout" && stream != "stderr" {
		return nil, script.Errorf(exitUsage, "cmptime: compares stdout or stderr, not %q", stream)
	}
	if file == "stdout" || file == "stderr" {
		return nil, script.Errorf(exitUsage, "cmptime: FILE must be a file of the scenario, not %q", file)
	}
	return script.ActionFunc(func(s *script.State) error { return run(s, stream, file) }), nil
}

func run(s *script.State, stream, file string) error {
	if s.Scenario == nil {
		return errors.New("cmptime: runs only inside a scenario")
	}
	got := s.Scenario.Output(stream)
	want, err := s.Scenario.ReadFile(file)
	if err != nil {
		return fmt.Errorf("cmptime: %w", err)
	}
	if Equal(got, want) {
		return nil
	}
	if s.Scenario.UpdateGolden(file, got) {
		return nil
	}
	s.Scenario.Logf("%s", diff.Diff(stream, []byte(MaskTiming(got)), file, []byte(MaskTiming(want))))
	return &script.ExitError{Code: exitDiffer, Msg: fmt.Sprintf("%s and %s differ (timing figures aside)", stream, file)}
}

// Equal reports whether got and want are the same text once their timing
// figures are masked.
func Equal(got, want string) bool { return MaskTiming(got) == MaskTiming(want) }

// timingFigures are the parts of iputils ping's output that depend on
// timing, with what MaskTiming puts in their place.
var timingFigures = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`time=[0-9.]+ ms`), "time=T ms"},
	{regexp.MustCompile(`time [0-9]+ms`), "time Tms"},
	{regexp.MustCompile(`ipg/ewma [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms`), "ipg/ewma T ms"},
	// ", pipe N" follows when replies were outstanding as the next request
	// went out: a matter of round-trip time against the interval, so
	// timing too, present or not.
	{regexp.MustCompile(`rtt min/avg/max/mdev = [0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3}/[0-9]+\.[0-9]{3} ms(, pipe [0-9]+)?`), "rtt min/avg/max/mdev = T ms"},
	// With no reply at all, "pipe N" can stand alone on the last line.
	{regexp.MustCompile(`(?m)^pipe [0-9]+$`), ""},
}

// MaskTiming replaces the timing figures in ping's output, the only part of
// an imitated tool's output allowed to differ from the real tool's.
func MaskTiming(s string) string {
	for _, m := range timingFigures {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}
