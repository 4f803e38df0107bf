package cli

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/netscript/netscript/internal/topology"
)

// An HTML report is a directory: index.html lists every scenario with its
// status and time, and links to a page per scenario with its topology
// picture, every command with its output, the failing line with its diff,
// and the namespaces' state at the failure. Each page is self-contained:
// CSS and SVG inline, no script, nothing fetched.

// htmlPage is one scenario's page.
type htmlPage struct {
	Name, File, Page string
	Status           string
	Seconds          string
	SVG              template.HTML // the topology picture, or ""
	SVGNote          string        // why there is no picture
	Failure          string        // the FAIL line
	Source           []sourceLine  // the scenario around the failing line
	Log              []logLine
	Dump             []dumpSection
}

type sourceLine struct {
	Num     int
	Text    string
	Failing bool
}

// logLine is a line of a scenario's log with what it is: "cmd" (a command),
// "comment" (a phase), "label" ([stdout], [stderr]), "fail", "pass", "add"
// and "del" (lines of a diff), "hunk", or "out" (output).
type logLine struct {
	Class, Text string
}

// dumpSection is one command of the namespace dump.
type dumpSection struct {
	NS, Cmd, Output string
}

type htmlIndex struct {
	Title                   string
	Passed, Failed, Skipped int
	Seconds                 string
	Generated               string
	Pages                   []*htmlPage
}

// dumpMarker starts the runner's namespace dump in a failed scenario's log.
const dumpMarker = "netscript: state of every namespace at the failure"

// writeHTML writes the report of results into dir.
func writeHTML(dir string, results []*result, elapsed time.Duration) error {
	if err := os.MkdirAll(filepath.Join(dir, "scenarios"), 0o755); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	n := count(results)
	idx := htmlIndex{Title: "netscript report", Passed: n[passed], Failed: n[failed], Skipped: n[skipped],
		Seconds: fmt.Sprintf("%.1f", elapsed.Seconds()), Generated: time.Now().UTC().Format("2006-01-02 15:04:05 UTC")}
	used := make(map[string]bool)
	for _, r := range results {
		p := newPage(r)
		p.Page = pageName(r.name, used)
		idx.Pages = append(idx.Pages, p)
		var b bytes.Buffer
		if err := pageTemplate.Execute(&b, p); err != nil {
			return fmt.Errorf("html report of %s: %w", r.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "scenarios", p.Page), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
	}
	var b bytes.Buffer
	if err := indexTemplate.Execute(&b, idx); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// pageName is a file name for the scenario's page, unique in the report.
func pageName(name string, used map[string]bool) string {
	base := unsafeName.ReplaceAllString(name, "_")
	page := base + ".html"
	for i := 2; used[page]; i++ {
		page = base + "-" + strconv.Itoa(i) + ".html"
	}
	used[page] = true
	return page
}

var failLine = regexp.MustCompile(`^FAIL: (.+):(\d+): `)

func newPage(r *result) *htmlPage {
	p := &htmlPage{Name: r.name, File: r.file, Status: string(r.status), Seconds: fmt.Sprintf("%.2f", r.elapsed.Seconds())}
	p.SVG, p.SVGNote = topologySVG(r.file)
	script, dump := splitDump(r.log)
	p.Dump = parseDump(dump)
	p.Log = classify(script)
	for _, l := range p.Log {
		if l.Class == "fail" {
			p.Failure = l.Text
			if m := failLine.FindStringSubmatch(l.Text); m != nil {
				num, _ := strconv.Atoi(m[2])
				p.Source = sourceAround(r.file, num, 3)
			}
			break
		}
	}
	return p
}

// topologySVG draws the topology the scenario file builds, or says why not.
func topologySVG(file string) (template.HTML, string) {
	if file == "" {
		return "", "no picture: the report does not name the scenario's file"
	}
	sc, err := topology.ReadFile(file)
	if err != nil {
		return "", fmt.Sprintf("no picture: %v", err)
	}
	var b bytes.Buffer
	if err := sc.Topology.SVG(&b, topology.Title(file)); err != nil {
		return "", fmt.Sprintf("no picture: %v", err)
	}
	// The SVG is netscript's own, its text escaped by the topology package.
	return template.HTML(b.String()), ""
}

// sourceAround returns the lines of file around line num.
func sourceAround(file string, num, context int) []sourceLine {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	var out []sourceLine
	for i := max(1, num-context); i <= min(len(lines), num+context); i++ {
		out = append(out, sourceLine{Num: i, Text: lines[i-1], Failing: i == num})
	}
	return out
}

// splitDump separates the runner's namespace dump (it ends at the first
// empty line) from the rest of the log.
func splitDump(log string) (script, dump string) {
	i := strings.Index(log, dumpMarker+"\n")
	if i < 0 {
		return log, ""
	}
	rest := log[i+len(dumpMarker)+1:]
	end := strings.Index(rest, "\n\n")
	if end < 0 {
		return log[:i], rest
	}
	return log[:i] + rest[end+2:], rest[:end+1]
}

// parseDump reads the dump's "--- NS: COMMAND" sections.
func parseDump(dump string) []dumpSection {
	var out []dumpSection
	for _, line := range strings.SplitAfter(dump, "\n") {
		if head, ok := strings.CutPrefix(line, "--- "); ok {
			ns, cmd, _ := strings.Cut(strings.TrimSuffix(head, "\n"), ": ")
			out = append(out, dumpSection{NS: ns, Cmd: cmd})
			continue
		}
		if len(out) > 0 {
			out[len(out)-1].Output += line
		}
	}
	return out
}

// classify marks each line of a scenario's log with what it is.
func classify(log string) []logLine {
	var out []logLine
	inDiff := false
	for _, line := range strings.Split(strings.TrimRight(log, "\n"), "\n") {
		class := "out"
		switch {
		case strings.HasPrefix(line, "> "):
			class, inDiff = "cmd", false
		case strings.HasPrefix(line, "#"):
			class, inDiff = "comment", false
		case line == "[stdout]" || line == "[stderr]" || strings.HasPrefix(line, "[exit status"):
			class = "label"
		case strings.HasPrefix(line, "FAIL: "):
			class, inDiff = "fail", false
		case line == "PASS" || strings.HasPrefix(line, "SKIP"):
			class = "pass"
		case strings.HasPrefix(line, "diff "):
			class, inDiff = "hunk", true
		case inDiff && (strings.HasPrefix(line, "+++ ") || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "@@")):
			class = "hunk"
		case inDiff && strings.HasPrefix(line, "+"):
			class = "add"
		case inDiff && strings.HasPrefix(line, "-"):
			class = "del"
		}
		out = append(out, logLine{Class: class, Text: line})
	}
	return out
}

const htmlStyle = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #202124; margin: 0; background: #f6f7f9; }
header { background: #202124; color: #fff; padding: 14px 28px; }
header h1 { margin: 0; font-size: 20px; }
header .sub { color: #bdc1c6; font-size: 13px; }
header a { color: #8ab4f8; }
main { padding: 20px 28px; max-width: 1180px; }
section { background: #fff; border: 1px solid #dadce0; border-radius: 8px; padding: 14px 18px; margin-bottom: 18px; }
h2 { font-size: 16px; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eceff1; }
th { font-size: 12px; text-transform: uppercase; color: #5f6368; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; min-width: 40px; text-align: center; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
.pass { background: #e6f4ea; color: #137333; }
.fail { background: #fce8e6; color: #c5221f; }
.skip { background: #fef7e0; color: #b06000; }
.totals span { margin-right: 18px; font-weight: 600; }
pre, .log { font: 12.5px/1.4 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.log { background: #fbfbfc; border: 1px solid #eceff1; border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre; }
.log div { min-height: 1.4em; }
.log .cmd { font-weight: 700; color: #1a0dab; }
.log .comment { color: #5f6368; font-style: italic; }
.log .label { color: #80868b; }
.log .fail { background: #fce8e6; color: #a50e0e; font-weight: 700; border-radius: 0; }
.log .pass { color: #137333; font-weight: 700; background: none; }
.log .add { background: #e6f4ea; color: #0d652d; }
.log .del { background: #fce8e6; color: #a50e0e; }
.log .hunk { color: #7627bb; }
.failure { border-left: 4px solid #d93025; }
.source .failing { background: #fce8e6; font-weight: 700; }
.source .n { color: #9aa0a6; display: inline-block; width: 3.5em; text-align: right; margin-right: 1em; }
.picture svg { max-width: 100%; height: auto; }
.note { color: #5f6368; font-style: italic; }
.ns h3 { font: 600 12.5px "DejaVu Sans Mono", Menlo, monospace; margin: 10px 0 4px; color: #3c4043; }
`

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>` + htmlStyle + `</style></head>
<body><header><h1>{{.Title}}</h1><div class="sub">{{len .Pages}} scenarios in {{.Seconds}}s · {{.Generated}}</div></header>
<main>
<section class="totals"><span class="badge pass">{{.Passed}} passed</span><span class="badge fail">{{.Failed}} failed</span><span class="badge skip">{{.Skipped}} skipped</span></section>
<section><table>
<tr><th>status</th><th>scenario</th><th>file</th><th>time</th><th>first failure</th></tr>
{{range .Pages}}<tr><td><span class="badge {{.Status}}">{{.Status}}</span></td><td><a href="scenarios/{{.Page}}">{{.Name}}</a></td><td>{{.File}}</td><td class="num">{{.Seconds}}s</td><td>{{.Failure}}</td></tr>
{{end}}</table></section>
</main></body></html>
`))

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}}: {{.Status}}</title>
<style>` + htmlStyle + `</style></head>
<body><header><h1><span class="badge {{.Status}}">{{.Status}}</span> {{.Name}}</h1>
<div class="sub">{{.File}} · {{.Seconds}}s · <a href="../index.html">all scenarios</a></div></header>
<main>
{{if .Failure}}<section class="failure"><h2>Failure</h2>
<div class="log"><div class="fail">{{.Failure}}</div></div>
{{if .Source}}<pre class="source">{{range .Source}}<div{{if .Failing}} class="failing"{{end}}><span class="n">{{.Num}}</span>{{.Text}}</div>{{end}}</pre>{{end}}
</section>{{end}}
<section class="picture"><h2>Topology</h2>
{{if .SVG}}{{.SVG}}{{else}}<p class="note">{{.SVGNote}}</p>{{end}}
</section>
<section><h2>Commands and outputs</h2>
<div class="log">{{range .Log}}<div class="{{.Class}}">{{.Text}}</div>{{end}}</div>
</section>
{{if .Dump}}<section class="ns"><h2>Namespaces at the failure</h2>
{{range .Dump}}<h3>{{.NS}}: {{.Cmd}}</h3>{{if .Output}}<pre class="log">{{.Output}}</pre>{{else}}<p class="note">(prints nothing)</p>{{end}}{{end}}
</section>{{end}}
</main></body></html>
`))
