package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/netscript/netscript/internal/scenariofile"
)

// realTools are the commands a shell runs as they are written.
var realTools = map[string]bool{"ip": true, "route": true, "ping": true, "ping6": true, "sysctl": true, "bridge": true}

// shellTwin translates a scenario into a bash script that does the same
// work the shell way: real tools as written, lib.sh's reach, retry, listen
// and connect for netscript's own commands, and the scenario's stdout,
// stderr and cmp checks after real tools (grep -P, cmp). Checks after
// netscript's own commands are left out: their output is netscript's.
func shellTwin(file, lib, dir string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	sc, err := scenariofile.Parse(data)
	if err != nil {
		return "", err
	}
	a := sc.Archive
	var b strings.Builder
	fmt.Fprintf(&b, "set -u\nsource %q\nd=%q\nfail() { echo \"%s:$1: failed\" >&2; exit 1; }\n", lib, dir, filepath.Base(file))
	for _, f := range a.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return "", err
		}
	}
	checked := false // whether the last command's output is checkable
	last := ""       // the last command, to re-run while a check fails
	const plain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-"
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	for _, l := range sc.Lines {
		if len(l.Args) == 0 { // a line testscript refuses: the scenario would fail
			return "", fmt.Errorf("%s:%d: %s", file, l.Num, l.Err)
		}
		neg, f := l.Neg, l.Args // [root] and other conditions: we are root
		words := make([]string, len(f))
		for i, w := range f {
			words[i] = w
			if w == "" || strings.ContainsFunc(w, func(r rune) bool { return !strings.ContainsRune(plain, r) }) {
				words[i] = quote(w)
			}
		}
		line := strings.Join(words, " ")
		var test string
		switch f[0] {
		case "stdout", "stderr":
			if !checked {
				continue
			}
			out := map[string]string{"stdout": "out", "stderr": "err"}[f[0]]
			if c, ok := strings.CutPrefix(f[1], "-count="); ok {
				test = fmt.Sprintf("[ \"$(grep -cP -- %s \"$d/%s\")\" = %s ]", quote(f[2]), out, c)
			} else {
				test = fmt.Sprintf("grep -qP -- %s \"$d/%s\"", quote(f[1]), out)
			}
		case "cmp", "cmptime":
			if !checked {
				continue
			}
			compare := map[string]string{"cmp": "cmp -s", "cmptime": "cmptime"}[f[0]]
			test = fmt.Sprintf("%s \"$d/%s\" \"$d/%s\"", compare, map[string]string{"stdout": "out", "stderr": "err"}[f[1]], f[2])
		default:
			cmd := line
			if len(f) > 4 && f[0] == "ip" && f[1] == "netns" && f[2] == "exec" && !realTools[f[4]] {
				f = append([]string{f[4], "-n", f[3]}, f[5:]...)
				cmd = strings.Join(append([]string{words[4], "-n", words[3]}, words[5:]...), " ")
			}
			checked = realTools[f[0]] && !(f[0] == "ip" && len(f) > 4 && f[2] == "exec" && !realTools[f[4]])
			test = cmd + " >\"$d/out\" 2>\"$d/err\""
			last = cmd
		}
		if !neg && (f[0] == "stdout" || f[0] == "stderr" || f[0] == "cmp" || f[0] == "cmptime") {
			test = fmt.Sprintf("{ %s || recheck %s %s; }", test, quote(last), quote(test))
		}
		if neg {
			fmt.Fprintf(&b, "%s && fail %d\n", test, l.Num)
		} else {
			fmt.Fprintf(&b, "%s || fail %d\n", test, l.Num)
		}
	}
	b.WriteString("exit 0\n")
	return b.String(), nil
}

// suiteScenarios are the scenarios the suite benchmark runs: the tutorial
// series, whose every command shellTwin translates (ip, route, ping, sysctl,
// bridge and netscript's own reach, retry, listen, connect). Scenarios of
// real programs (tc, nft, tcpdump) run the same programs either way, so
// they would measure those programs, not netscript; a fixed set also keeps
// the figure comparable from one run of make bench to the next.
var suiteScenarios = []string{"bridge", "ipv6", "mesh3", "mesh4", "netns-tap", "router", "service", "veth-pair"}

// BenchmarkSuite: the suiteScenarios, two at a time (the machine's
// cores), through "netscript run -parallel 2", against their shell twins
// run two at a time, each in a sandbox of its own.
func BenchmarkSuite(b *testing.B) {
	require(b)
	var files []string
	for _, name := range suiteScenarios {
		files = append(files, filepath.Join("..", "scenarios", name+".txtar"))
	}
	lib, err := filepath.Abs("lib.sh")
	if err != nil {
		b.Fatal(err)
	}
	var scripts []string
	for _, file := range files {
		dir := b.TempDir()
		text, err := shellTwin(file, lib, dir)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, "twin.sh")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
		scripts = append(scripts, path)
	}
	b.Run("netscript", func(b *testing.B) {
		measure(b, func() error { return netscript(append([]string{"run", "-parallel", "2"}, files...)...) }, false)
	})
	b.Run("shell", func(b *testing.B) {
		measure(b, func() error { return parallel(2, scripts) }, false)
	})
}

// parallel runs the scripts in sandboxes, at most n at a time.
func parallel(n int, scripts []string) error {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	errs := make([]error, len(scripts))
	for i, s := range scripts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			errs[i] = sandbox(s)
			<-sem
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
