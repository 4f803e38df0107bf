package tools

import (
	"context"
	"io"
	"os"
	"os/exec"
	"testing"

	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// BenchmarkStart measures what one tool line costs: "tc -V" through the
// command (PATH lookup, a thread inside the scenario's namespace, the
// start and wait of jobs.Run) against the same program started directly
// with os/exec, in the namespace the benchmark runs in.
func BenchmarkStart(b *testing.B) {
	privilege.Require(b)
	if _, err := exec.LookPath("tc"); err != nil {
		b.Skip("needs tc (apt-get install iproute2)")
	}
	b.Run("command", func(b *testing.B) {
		w, err := world.New()
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		tool, _ := Lookup("tc")
		act, err := tool.parse([]string{"-V"})
		if err != nil {
			b.Fatal(err)
		}
		s := &script.State{Ctx: context.Background(), World: w, NS: w.Root(), Dir: b.TempDir(),
			Env: os.Environ(), Stdout: io.Discard, Stderr: io.Discard}
		for b.Loop() {
			if err := act.Run(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("tc", "-V").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
