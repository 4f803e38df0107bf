package topology

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

const (
	svgFont   = "DejaVu Sans Mono, Menlo, Consolas, monospace"
	margin    = 24
	titleH    = 48
	legendH   = 34
	edgeColor = "#1a73e8"
)

// svgEdge is a veth pair drawn as a curve between two rows.
type svgEdge struct {
	a, b       *svgRow
	ax, ay     float64 // end at a's row
	bx, by     float64
	c1x, c2x   float64 // control points (their y is the end's)
	sameSideAB bool
}

// SVG writes t as a self-contained SVG picture: namespaces as boxes on an
// ellipse (or around a hub), their links as coloured rows with addresses,
// veth pairs as curves between the rows of their ends, and bridge ports
// joined to their bridge by a bracket. Links that are down are dashed. It
// needs no Graphviz.
func (t *Topology) SVG(w io.Writer, title string) error {
	v := newView(t)
	boxes := make([]*svgBox, len(v.namespaces))
	boxOf := make(map[*Namespace]int)
	for i, ns := range v.namespaces {
		boxes[i] = sizeBox(ns, v.links[ns])
		boxOf[ns] = i
	}
	adj := make(map[[2]int]bool)
	for _, p := range v.pairs {
		i, j := boxOf[p[0].NS], boxOf[p[1].NS]
		if i != j {
			adj[[2]int{min(i, j), max(i, j)}] = true
		}
	}
	place(boxes, adj)
	rowOf := make(map[*Link]*svgRow)
	for _, b := range boxes {
		b.placeRows()
		for _, r := range b.rows {
			rowOf[r.link] = r
		}
	}
	var edges []*svgEdge
	for _, p := range v.pairs {
		edges = append(edges, route(rowOf[p[0]], rowOf[p[1]], boxes[boxOf[p[0].NS]], boxes[boxOf[p[1].NS]]))
	}

	// The picture's extent: boxes and curves, then title and legend.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x, y float64) {
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	for _, b := range boxes {
		grow(b.left(), b.top())
		grow(b.left()+b.w, b.top()+b.h)
	}
	for _, e := range edges {
		grow(e.c1x, e.ay)
		grow(e.c2x, e.by)
	}
	if len(boxes) == 0 {
		grow(0, 0)
	}
	legend := legendItems(v)
	width := math.Max(maxX-minX, math.Max(textWidth(title, 16), legendWidth(legend))) + 2*margin
	height := maxY - minY + 2*margin + titleH + legendH
	dx, dy := margin-minX+(width-2*margin-(maxX-minX))/2, margin+titleH-minY

	s := &svgWriter{w: bufio.NewWriter(w)}
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="%s">`+"\n",
		width, height, width, height, svgFont)
	s.printf("<title>%s</title>\n", esc(title))
	s.printf(`<rect width="100%%" height="100%%" fill="#ffffff"/>` + "\n")
	s.printf(`<text x="%d" y="%d" font-size="16" font-weight="bold" fill="#202124">%s</text>`+"\n", margin, margin+12, esc(title))
	s.printf(`<text x="%d" y="%d" font-size="11" fill="#5f6368">%s</text>`+"\n", margin, margin+30, esc(summary(v)))
	s.printf(`<g transform="translate(%g %g)">`+"\n", dx, dy)
	for _, b := range boxes {
		s.box(b)
	}
	for _, b := range boxes {
		s.brackets(b)
	}
	for _, e := range edges {
		s.edge(e)
	}
	for _, b := range boxes {
		for _, r := range b.rows {
			s.row(r)
		}
	}
	for _, e := range edges {
		s.dot(e.ax, e.ay)
		s.dot(e.bx, e.by)
	}
	s.printf("</g>\n")
	s.legend(legend, margin, height-margin-8)
	s.printf("</svg>\n")
	return s.flush()
}

// route draws the curve of a veth pair from row a to row b. Each end
// leaves its row on the side facing the other box; boxes one above the
// other are joined on their outer side, and two ends in one box on its
// right.
func route(a, b *svgRow, ba, bb *svgBox) *svgEdge {
	e := &svgEdge{a: a, b: b, ay: a.y + rowH/2, by: b.y + rowH/2}
	var rightA, rightB bool
	switch {
	case ba == bb:
		rightA, rightB = true, true
	case math.Abs(ba.cx-bb.cx) < 1:
		rightA = ba.cx >= 0
		rightB = rightA
	default:
		rightA = bb.cx > ba.cx
		rightB = !rightA
	}
	e.ax, e.bx = a.x, b.x
	if rightA {
		e.ax = a.x + a.w
	}
	if rightB {
		e.bx = b.x + b.w
	}
	dirA, dirB := side(rightA), side(rightB)
	var c float64
	if rightA == rightB {
		e.sameSideAB = true
		c = 30 + 0.25*math.Abs(e.by-e.ay)
		// Reach out beyond whichever end sticks out further.
		outer := math.Max(e.ax*dirA, e.bx*dirB)
		e.c1x = outer*dirA + dirA*c
		e.c2x = e.c1x
		return e
	}
	c = math.Max(30, 0.45*math.Abs(e.bx-e.ax))
	e.c1x, e.c2x = e.ax+dirA*c, e.bx+dirB*c
	return e
}

func side(right bool) float64 {
	if right {
		return 1
	}
	return -1
}

type svgWriter struct {
	w   *bufio.Writer
	err error
}

func (s *svgWriter) printf(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, args...)
	}
}

func (s *svgWriter) flush() error {
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

func (s *svgWriter) box(b *svgBox) {
	x, y := b.left(), b.top()
	s.printf(`<g class="namespace" id="%s">`+"\n", esc("ns-"+b.ns.Label()))
	s.printf(`<rect x="%g" y="%g" width="%g" height="%g" rx="10" fill="#f8f9fa" stroke="#5f6368" stroke-width="1.5"/>`+"\n", x, y, b.w, b.h)
	s.printf(`<text x="%g" y="%g" font-size="14" font-weight="bold" fill="#202124">%s</text>`+"\n", x+boxPad, y+21, esc(b.ns.Label()))
	s.printf(`<text x="%g" y="%g" font-size="10" fill="#5f6368">%s</text>`+"\n", x+boxPad+textWidth(b.ns.Label(), 14)+10, y+21, nsNote)
	if len(b.rows) == 0 {
		s.printf(`<text x="%g" y="%g" font-size="11" font-style="italic" fill="#80868b">(no links)</text>`+"\n", x+boxPad, y+headerH+15)
	}
	s.printf("</g>\n")
}

// brackets joins each bridge to its ports.
func (s *svgWriter) brackets(b *svgBox) {
	for i, r := range b.rows {
		if r.link.Kind != "bridge" && !hasPorts(b.rows, r.link) {
			continue
		}
		trunk := r.x + portDent/2
		var last float64
		var stubs strings.Builder
		for _, p := range b.rows[i+1:] {
			if p.link.Master != r.link {
				continue
			}
			last = p.y + rowH/2
			fmt.Fprintf(&stubs, " M%g %g H%g", trunk, last, p.x)
		}
		if last == 0 {
			continue
		}
		_, stroke := colorsOf(r.link)
		s.printf(`<path d="M%g %g V%g%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", trunk, r.y+r.h, last, stubs.String(), stroke)
	}
}

func hasPorts(rows []*svgRow, l *Link) bool {
	for _, r := range rows {
		if r.link.Master == l {
			return true
		}
	}
	return false
}

func (s *svgWriter) row(r *svgRow) {
	l := r.link
	fill, stroke := colorsOf(l)
	dash, text := "", "#202124"
	if !l.Up {
		dash, text = ` stroke-dasharray="5 3"`, "#5f6368"
	}
	s.printf(`<g class="link" id="%s">`+"\n", esc("link-"+l.NS.Label()+"-"+l.Name))
	s.printf(`<rect x="%g" y="%g" width="%g" height="%g" rx="5" fill="%s" stroke="%s" stroke-width="1.5"%s/>`+"\n",
		r.x, r.y, r.w, r.h, fill, stroke, dash)
	base := r.y + 16
	s.printf(`<text x="%g" y="%g" font-size="12" font-weight="bold" fill="%s">%s</text>`+"\n", r.x+10, base, text, esc(l.Name))
	s.printf(`<text x="%g" y="%g" font-size="10" fill="%s">%s</text>`+"\n", r.x+10+textWidth(l.Name, 12)+8, base, stroke, esc(kindLabel(l)+downMark(l)))
	for i, a := range addrs(l) {
		s.printf(`<text x="%g" y="%g" font-size="11" text-anchor="end" fill="%s">%s</text>`+"\n", r.x+r.w-10, base+float64(i)*lineH, text, esc(a))
	}
	s.printf("</g>\n")
}

func (s *svgWriter) edge(e *svgEdge) {
	s.printf(`<path class="veth" d="M%g %g C%g %g %g %g %g %g" fill="none" stroke="%s" stroke-width="2.5" stroke-linecap="round"/>`+"\n",
		e.ax, e.ay, e.c1x, e.ay, e.c2x, e.by, e.bx, e.by, edgeColor)
}

func (s *svgWriter) dot(x, y float64) {
	s.printf(`<circle cx="%g" cy="%g" r="4" fill="%s" stroke="#ffffff" stroke-width="1.5"/>`+"\n", x, y, edgeColor)
}

// summary is the line under the title.
func summary(v *view) string {
	links, bridges := 0, 0
	for _, ns := range v.namespaces {
		for _, l := range v.links[ns] {
			links++
			if l.Kind == "bridge" {
				bridges++
			}
		}
	}
	parts := []string{plural(len(v.namespaces), "namespace"), plural(links, "link")}
	if len(v.pairs) > 0 {
		parts = append(parts, plural(len(v.pairs), "veth pair"))
	}
	if bridges > 0 {
		parts = append(parts, plural(bridges, "bridge"))
	}
	return "at the end of the scenario: " + strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// legendItem is one entry of the legend: a swatch and its meaning.
type legendItem struct {
	label, fill, stroke string
	dashed, line        bool
}

// legendItems lists the kinds of link in the picture, then what a dashed
// row and a curve mean when there are any.
func legendItems(v *view) []legendItem {
	var items []legendItem
	seen := make(map[string]bool)
	down := false
	for _, ns := range v.namespaces {
		for _, l := range v.links[ns] {
			down = down || !l.Up
			k := kindLabel(l)
			if seen[k] {
				continue
			}
			seen[k] = true
			fill, stroke := colorsOf(l)
			items = append(items, legendItem{label: k, fill: fill, stroke: stroke})
		}
	}
	if len(v.pairs) > 0 {
		items = append(items, legendItem{label: "veth pair", stroke: edgeColor, line: true})
	}
	if down {
		items = append(items, legendItem{label: "down", fill: "#ffffff", stroke: "#5f6368", dashed: true})
	}
	return items
}

func legendWidth(items []legendItem) float64 {
	var w float64
	for _, it := range items {
		w += 28 + textWidth(it.label, 11) + 18
	}
	return w
}

func (s *svgWriter) legend(items []legendItem, x0, y float64) {
	x := x0
	for _, it := range items {
		if it.line {
			s.printf(`<path d="M%g %g H%g" stroke="%s" stroke-width="2.5" stroke-linecap="round"/>`+"\n", x, y-4, x+22, it.stroke)
		} else {
			dash := ""
			if it.dashed {
				dash = ` stroke-dasharray="4 2"`
			}
			s.printf(`<rect x="%g" y="%g" width="22" height="12" rx="3" fill="%s" stroke="%s" stroke-width="1.5"%s/>`+"\n", x, y-10, it.fill, it.stroke, dash)
		}
		s.printf(`<text x="%g" y="%g" font-size="11" fill="#3c4043">%s</text>`+"\n", x+28, y, esc(it.label))
		x += 28 + textWidth(it.label, 11) + 18
	}
}

// esc escapes text for XML.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
