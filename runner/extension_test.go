package runner_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/netscript/netscript/runner"
	"github.com/netscript/netscript/script"
)

// TestExtension runs a scenario with a command and a condition added from
// outside netscript, through the public API only, as a user's repository
// does: the command runs in the namespace it is given, also under "ip
// netns exec" and retry, and the condition decides lines.
func TestExtension(t *testing.T) {
	where := &script.Cmd{
		Name:  "where",
		Usage: script.Usage{Summary: "print the namespace the command runs in"},
		Parse: func(args []string) (script.Action, error) {
			if len(args) != 0 {
				return nil, script.Errorf(2, "usage: where")
			}
			return script.ActionFunc(func(s *script.State) error {
				name := s.NS.Name
				if name == "" {
					name = "(root)"
				}
				return s.NS.Do(func() error { _, err := fmt.Fprintln(s.Stdout, name); return err })
			}), nil
		},
	}
	flag := &script.Cond{
		Name:  "flag",
		Param: true,
		Eval:  func(arg string) (bool, error) { return arg == "on", nil },
	}
	scenario := `where
stdout '^\(root\)$'
ip netns add ns0
ip netns exec ns0 where
stdout '^ns0$'
retry ip netns exec ns0 where
stdout '^ns0$'
! where extra
stderr '^usage: where$'
[flag:on] env X=1
[!flag:off] env Y=1
[flag:off] env X=2
exec sh -c 'echo $X$Y'
stdout '^11$'
`
	file := filepath.Join(t.TempDir(), "extension.txtar")
	if err := os.WriteFile(file, []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	runner.Run(t, "", runner.WithFiles(file), runner.WithCmd(where), runner.WithCondition(flag))
}
