package topology

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Fill colours of links, by kind, shared by the DOT and SVG pictures.
var kindColors = map[string]struct{ fill, stroke string }{
	"veth":     {"#e8f0fe", "#1a73e8"},
	"bridge":   {"#fef7e0", "#e37400"},
	"tap":      {"#e6f4ea", "#188038"},
	"tun":      {"#e6f4ea", "#188038"},
	"loopback": {"#f1f3f4", "#80868b"},
}

func colorsOf(l *Link) (fill, stroke string) {
	if c, ok := kindColors[l.Kind]; ok {
		return c.fill, c.stroke
	}
	return "#f3e8fd", "#9334e6"
}

// DOT writes t as a Graphviz graph: a cluster per namespace holding its
// links, an edge per veth pair, and an edge from each bridge port to its
// bridge. Links that are down are dashed.
func (t *Topology) DOT(w io.Writer, title string) error {
	v := newView(t)
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "graph %s {\n", dotQuote(title))
	fmt.Fprintf(b, "\tgraph [label=%s, labelloc=t, fontname=\"Helvetica\", rankdir=LR, nodesep=0.3];\n", dotQuote(title))
	b.WriteString("\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n")
	b.WriteString("\tedge [penwidth=2];\n")
	for i, ns := range v.namespaces {
		fmt.Fprintf(b, "\n\tsubgraph cluster_%d {\n", i)
		fmt.Fprintf(b, "\t\tlabel=%s;\n\t\tstyle=rounded;\n", dotQuote(ns.Label()))
		links := v.links[ns]
		if len(links) == 0 {
			fmt.Fprintf(b, "\t\t%s [label=\"(no links)\", shape=plaintext, style=\"\"];\n", dotQuote(ns.Name+"/"))
		}
		for _, l := range links {
			fill, stroke := colorsOf(l)
			style := "rounded,filled"
			if !l.Up {
				style += ",dashed"
			}
			label := append([]string{fmt.Sprintf("%s (%s%s)", l.Name, kindLabel(l), downMark(l))}, addrs(l)...)
			fmt.Fprintf(b, "\t\t%s [label=%s, fillcolor=%q, color=%q, style=%q];\n",
				dotID(l), dotQuote(strings.Join(label, "\n")), fill, stroke, style)
		}
		b.WriteString("\t}\n")
	}
	if len(v.pairs)+len(v.ports) > 0 {
		b.WriteString("\n")
	}
	for _, p := range v.pairs {
		fmt.Fprintf(b, "\t%s -- %s [color=%q];\n", dotID(p[0]), dotID(p[1]), kindColors["veth"].stroke)
	}
	for _, p := range v.ports {
		fmt.Fprintf(b, "\t%s -- %s [color=%q, style=dashed];\n", dotID(p[1]), dotID(p[0]), kindColors["bridge"].stroke)
	}
	b.WriteString("}\n")
	return b.Flush()
}

// downMark is the note pictures add to the kind of a link that is down.
func downMark(l *Link) string {
	if l.Up {
		return ""
	}
	return ", down"
}

// dotID names a link's node: NAMESPACE/DEVICE, "/DEVICE" in the root.
// Neither kind of name can hold a "/", so the names are unique.
func dotID(l *Link) string { return dotQuote(l.NS.Name + "/" + l.Name) }

// dotQuote quotes s as a DOT string; "\n" becomes a line break.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
