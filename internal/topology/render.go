package topology

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Formats are the picture formats Render writes.
var Formats = []string{"dot", "mermaid", "svg"}

// Render writes a picture of t in format ("dot", "mermaid" or "svg"), with
// title as its caption.
func Render(w io.Writer, t *Topology, title, format string) error {
	var err error
	switch format {
	case "dot":
		err = t.DOT(w, title)
	case "mermaid":
		err = t.Mermaid(w, title)
	case "svg":
		err = t.SVG(w, title)
	default:
		return fmt.Errorf("unknown graph format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("write %s graph: %w", format, err)
	}
	return nil
}

// Title is the caption of a scenario's picture: its file name without
// directory and ".txtar".
func Title(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".txtar")
}

// view is what a picture shows of a topology: the visible namespaces,
// their visible links (a bridge's ports right after it), and the edges.
type view struct {
	namespaces []*Namespace
	links      map[*Namespace][]*Link
	pairs      [][2]*Link // veth pairs, each once, both ends visible
	ports      [][2]*Link // {port, bridge}
}

func newView(t *Topology) *view {
	v := &view{links: make(map[*Namespace][]*Link)}
	shown := make(map[*Link]bool)
	for _, ns := range t.Visible() {
		v.namespaces = append(v.namespaces, ns)
		var list []*Link
		for _, l := range ns.Links {
			if !l.Visible() || (l.Master != nil && l.Master.Visible()) {
				continue // ports follow their bridge
			}
			list = append(list, l)
			if l.Kind == "bridge" || len(l.Ports()) > 0 {
				for _, p := range l.Ports() {
					list = append(list, p)
					v.ports = append(v.ports, [2]*Link{p, l})
				}
			}
		}
		for _, l := range list {
			shown[l] = true
		}
		v.links[ns] = list
	}
	for _, ns := range v.namespaces {
		for _, l := range v.links[ns] {
			if p := l.Peer; p != nil && shown[p] && shown[l] {
				v.pairs = append(v.pairs, [2]*Link{l, p})
				shown[l] = false // each pair once, from its first end shown
			}
		}
	}
	return v
}

// kindLabel is the link's kind as pictures show it.
func kindLabel(l *Link) string {
	if l.Kind == "" {
		return "link"
	}
	return l.Kind
}

// addrs returns the link's addresses as strings.
func addrs(l *Link) []string {
	out := make([]string, len(l.Addrs))
	for i, a := range l.Addrs {
		out[i] = a.String()
	}
	return out
}
