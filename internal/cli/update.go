package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// goldens is the content of scenario files before an -update run.
type goldens map[string][]byte

func snapshotGoldens(files []string) goldens {
	g := make(goldens)
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil {
			g[f] = data
		}
	}
	return g
}

// reportUpdates says which scenario files an -update run rewrote, and
// which of their archive files changed.
func (g goldens) reportUpdates(files []string, w io.Writer) {
	done := make(map[string]bool)
	n := 0
	for _, f := range files {
		if done[f] {
			continue
		}
		done[f] = true
		now, err := os.ReadFile(f)
		if err != nil || bytes.Equal(now, g[f]) {
			continue
		}
		n++
		fmt.Fprintf(w, "netscript run: -update rewrote %s: %s\n", f, strings.Join(changedFiles(g[f], now), ", "))
	}
	if n == 0 {
		fmt.Fprintf(w, "netscript run: -update rewrote no file\n")
	}
}

// changedFiles names the archive files whose content differs.
func changedFiles(before, after []byte) []string {
	old := make(map[string]string)
	for _, f := range txtar.Parse(before).Files {
		old[f.Name] = string(f.Data)
	}
	var names []string
	for _, f := range txtar.Parse(after).Files {
		if d, ok := old[f.Name]; !ok || d != string(f.Data) {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		names = []string{"the commands"}
	}
	return names
}
