package topology

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Mermaid writes t as a Mermaid flowchart: a subgraph per namespace holding
// its links, a line per veth pair, a dotted line from each bridge port to
// its bridge (drawn as a hexagon). Links that are down are dashed.
func (t *Topology) Mermaid(w io.Writer, title string) error {
	v := newView(t)
	ids := newMermaidIDs()
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "---\ntitle: \"%s\"\n---\nflowchart LR\n", mermaidText(title))
	var down []string
	for _, ns := range v.namespaces {
		fmt.Fprintf(b, "    subgraph %s[\"%s\"]\n", ids.namespace(ns), mermaidText(ns.Label()))
		links := v.links[ns]
		if len(links) == 0 {
			fmt.Fprintf(b, "        %s_empty[\"(no links)\"]\n", ids.namespace(ns))
		}
		for _, l := range links {
			label := strings.Join(append([]string{fmt.Sprintf("%s (%s%s)", l.Name, kindLabel(l), downMark(l))}, addrs(l)...), "<br/>")
			open, close := "[\"", "\"]"
			if l.Kind == "bridge" {
				open, close = "{{\"", "\"}}"
			}
			fmt.Fprintf(b, "        %s%s%s%s\n", ids.link(l), open, mermaidText(label), close)
			if !l.Up {
				down = append(down, ids.link(l))
			}
		}
		b.WriteString("    end\n")
	}
	for _, p := range v.pairs {
		fmt.Fprintf(b, "    %s ---|veth| %s\n", ids.link(p[0]), ids.link(p[1]))
	}
	for _, p := range v.ports {
		fmt.Fprintf(b, "    %s -.-|port| %s\n", ids.link(p[1]), ids.link(p[0]))
	}
	if len(down) > 0 {
		b.WriteString("    classDef down stroke-dasharray: 5 3,color:#5f6368\n")
		fmt.Fprintf(b, "    class %s down\n", strings.Join(down, ","))
	}
	return b.Flush()
}

// mermaidIDs gives namespaces and links Mermaid identifiers made of their
// names, kept unique.
type mermaidIDs struct {
	byKey map[string]string
	used  map[string]bool
}

func newMermaidIDs() *mermaidIDs {
	return &mermaidIDs{byKey: make(map[string]string), used: make(map[string]bool)}
}

func (m *mermaidIDs) namespace(ns *Namespace) string {
	return m.id("ns\x00"+ns.Name, "ns_"+ns.Label())
}

func (m *mermaidIDs) link(l *Link) string {
	return m.id(fmt.Sprint("link\x00", l.ID), l.NS.Label()+"_"+l.Name)
}

func (m *mermaidIDs) id(key, want string) string {
	if id, ok := m.byKey[key]; ok {
		return id
	}
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, want)
	for base, i := id, 2; m.used[id]; i++ {
		id = fmt.Sprintf("%s_%d", base, i)
	}
	m.used[id], m.byKey[key] = true, id
	return id
}

// mermaidText escapes the characters that end a Mermaid label.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s)
}
