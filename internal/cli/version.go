package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

var versionCmd = &subcommand{
	name:    "version",
	args:    "",
	summary: "print netscript's version",
	detail:  "Version prints netscript's module version, its VCS revision when known, and the Go toolchain and platform.",
	run:     versionMain,
}

func versionMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "usage: netscript version\n")
		return exitUsage
	}
	version, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	fmt.Fprintf(stdout, "netscript %s%s %s %s/%s\n", version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
