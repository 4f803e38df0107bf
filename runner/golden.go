package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"
)

// scenarioAccess is script.Scenario for one checking command of a running
// scenario.
type scenarioAccess struct {
	ts  *testscript.TestScript
	sc  *scenario
	neg bool
}

func (a *scenarioAccess) Output(name string) string { return a.ts.ReadFile(name) }

func (a *scenarioAccess) ReadFile(name string) (string, error) {
	data, err := os.ReadFile(a.ts.MkAbs(name))
	return string(data), err
}

func (a *scenarioAccess) Logf(format string, args ...any) { a.ts.Logf(format, args...) }

// UpdateGolden records the new text of an archive file, written to the
// scenario file when the scenario ends (goldenUpdates.apply).
func (a *scenarioAccess) UpdateGolden(name, content string) bool {
	if a.neg || !a.sc.update {
		return false
	}
	rel, err := filepath.Rel(a.sc.workDir, a.ts.MkAbs(name))
	if err != nil {
		return false
	}
	file := scriptFile(a.ts)
	if file == "" {
		a.ts.Logf("netscript: cannot tell this scenario's file: %s is not updated", name)
		return false
	}
	arch, err := txtar.ParseFile(file)
	if err != nil {
		a.ts.Logf("netscript: %v: %s is not updated", err, name)
		return false
	}
	for _, f := range arch.Files {
		if f.Name == filepath.ToSlash(rel) {
			a.sc.golden.add(file, f.Name, content)
			return true
		}
	}
	return false // a file the scenario wrote, not one of its archive
}

// scriptFile returns the scenario file testscript runs. testscript keeps
// it unexported; should a later version rename the field, "" says so.
func scriptFile(ts *testscript.TestScript) string {
	if f := reflect.ValueOf(ts).Elem().FieldByName("file"); f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// goldenUpdates are the new texts of a scenario's archive files, by name.
type goldenUpdates struct {
	file  string
	texts map[string]string
}

func (g *goldenUpdates) add(file, name, text string) {
	if g.texts == nil {
		g.texts = make(map[string]string)
	}
	g.file = file
	g.texts[name] = text
}

// apply rewrites the scenario file with the new texts, as testscript does
// for cmp (quoting a text that would read as a file marker).
func (g *goldenUpdates) apply() error {
	if len(g.texts) == 0 {
		return nil
	}
	arch, err := txtar.ParseFile(g.file)
	if err != nil {
		return fmt.Errorf("update golden files: %w", err)
	}
	for i := range arch.Files {
		text, ok := g.texts[arch.Files[i].Name]
		if !ok {
			continue
		}
		data := []byte(text)
		if txtar.NeedsQuote(data) {
			if data, err = txtar.Quote(data); err != nil {
				return fmt.Errorf("update %s in %s: %w", arch.Files[i].Name, g.file, err)
			}
		}
		arch.Files[i].Data = data
	}
	if err := os.WriteFile(g.file, txtar.Format(arch), 0o666); err != nil {
		return fmt.Errorf("update golden files: %w", err)
	}
	return nil
}
