// Command gendocs writes the command reference of README.md (between its
// marker comments) from the command table: "make docs" runs it. The cli
// package's TestREADMECommandReference fails when README.md and the table
// drift apart.
//
// Usage: go run ./internal/cli/gendocs [README.md]
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/netscript/netscript/internal/cli"
)

func main() {
	path := "README.md"
	switch len(os.Args) {
	case 1:
	case 2:
		path = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: gendocs [README.md]")
		os.Exit(2)
	}
	if err := run(path); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// run rewrites the command reference of the file at path, if it changed.
func run(path string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := cli.SpliceReference(old)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(old, updated) {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, updated, info.Mode().Perm()); err != nil {
		return err
	}
	fmt.Printf("gendocs: %s: command reference updated\n", path)
	return nil
}
