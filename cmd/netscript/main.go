// Command netscript runs, checks and draws network scenarios: txtar files
// of ip, route and ping commands with the outputs they should print, each
// run in throwaway network namespaces. Run "netscript help" for more.
package main

import (
	"os"

	"github.com/netscript/netscript/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
