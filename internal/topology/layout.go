package topology

import (
	"math"
	"unicode/utf8"
)

// Sizes of the SVG picture, in pixels. Text is monospace, so its width
// follows from its length.
const (
	charWidth = 0.6 // of the font size, for DejaVu Sans Mono and its kin
	boxPad    = 12  // inside a namespace box
	headerH   = 32  // namespace name
	rowH      = 24  // a link with at most one address
	lineH     = 15  // each further address
	rowGap    = 6
	portDent  = 18 // bridge ports sit right of their bridge
	gapX      = 120
	gapY      = 56
)

// svgRow is a link drawn as a row of its namespace's box.
type svgRow struct {
	link       *Link
	x, y, w, h float64
	port       bool // a bridge port, indented under its bridge
}

// svgBox is a namespace drawn as a box of rows.
type svgBox struct {
	ns     *Namespace
	rows   []*svgRow
	w, h   float64
	cx, cy float64 // centre
}

func (b *svgBox) left() float64 { return b.cx - b.w/2 }
func (b *svgBox) top() float64  { return b.cy - b.h/2 }

func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * charWidth
}

// rowWidth is the width a link's row needs: name and kind on the left,
// addresses on the right.
func rowWidth(l *Link) float64 {
	w := 10 + textWidth(l.Name, 12) + 8 + textWidth(kindLabel(l)+downMark(l), 10) + 10
	var addrW float64
	for _, a := range addrs(l) {
		addrW = math.Max(addrW, textWidth(a, 11))
	}
	if addrW > 0 {
		w += 20 + addrW
	}
	return w
}

// sizeBox lays out the rows of a namespace's box and sizes the box.
func sizeBox(ns *Namespace, links []*Link) *svgBox {
	b := &svgBox{ns: ns}
	inner := textWidth(ns.Label(), 14) + 10 + textWidth(nsNote, 10)
	for _, l := range links {
		r := &svgRow{link: l, port: l.Master != nil}
		r.h = rowH + lineH*math.Max(0, float64(len(l.Addrs)-1))
		w := rowWidth(l)
		if r.port {
			w += portDent
		}
		inner = math.Max(inner, w)
		b.rows = append(b.rows, r)
	}
	b.w = inner + 2*boxPad
	b.h = headerH + boxPad
	if len(b.rows) == 0 {
		b.h += rowH
	}
	for _, r := range b.rows {
		r.w = inner
		if r.port {
			r.w -= portDent
		}
		b.h += r.h + rowGap
	}
	return b
}

// nsNote is the note after a namespace's name in the SVG, so that the
// box labelled "root" reads "root namespace".
const nsNote = "namespace"

// placeRows puts the rows of a placed box at their positions.
func (b *svgBox) placeRows() {
	y := b.top() + headerH
	for _, r := range b.rows {
		r.x, r.y = b.left()+boxPad, y
		if r.port {
			r.x += portDent
		}
		y += r.h + rowGap
	}
}

// place arranges the boxes around the origin. A hub, a box joined to every
// other box while they are joined only to it (a bridge's namespace, a
// router), goes in the middle with the others around it; otherwise all go
// on an ellipse, in order, the first at the top left. The ellipse grows
// until no two boxes come closer than gapX across or gapY down.
func place(boxes []*svgBox, adj map[[2]int]bool) {
	if len(boxes) == 0 {
		return
	}
	ring := make([]int, 0, len(boxes))
	hub := findHub(len(boxes), adj)
	for i := range boxes {
		if i != hub {
			ring = append(ring, i)
		}
	}
	if len(ring) == 1 && hub < 0 {
		return // one box, at the origin
	}
	var maxW, maxH float64
	for _, b := range boxes {
		maxW, maxH = math.Max(maxW, b.w), math.Max(maxH, b.h)
	}
	k := float64(len(ring))
	at := func(rx, ry float64) {
		for i, bi := range ring {
			a := (-90 - 180/k + 360*float64(i)/k) * math.Pi / 180
			boxes[bi].cx, boxes[bi].cy = round(rx*math.Cos(a)), round(ry*math.Sin(a))
		}
	}
	if hub >= 0 {
		placeAround(boxes, at)
		return
	}
	for s := 0.3; s < 20; s += 0.02 {
		if at(s*(maxW+gapX), s*(maxH+gapY)); apart(boxes) {
			return
		}
	}
}

// placeAround finds the ellipse around a hub with the smallest picture:
// the others then sit beside the hub, close to the rows they join.
func placeAround(boxes []*svgBox, at func(rx, ry float64)) {
	var sumW, sumH float64
	for _, b := range boxes {
		sumW, sumH = sumW+b.w+gapX, sumH+b.h+gapY
	}
	best, bestRX, bestRY := math.Inf(1), sumW, sumH
	for rx := 0.0; rx <= sumW; rx += 4 {
		for ry := 0.0; ry <= sumH; ry += 4 {
			at(rx, ry)
			if !apart(boxes) {
				continue
			}
			if a := area(boxes); a < best {
				best, bestRX, bestRY = a, rx, ry
			}
			break // a taller ellipse only grows the picture
		}
	}
	at(bestRX, bestRY)
}

// area is the area of the rectangle around the boxes.
func area(boxes []*svgBox) float64 {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, b := range boxes {
		minX, minY = math.Min(minX, b.left()), math.Min(minY, b.top())
		maxX, maxY = math.Max(maxX, b.left()+b.w), math.Max(maxY, b.top()+b.h)
	}
	return (maxX - minX) * (maxY - minY)
}

func round(v float64) float64 { return math.Round(v) }

// findHub returns the box joined to all n-1 others while they are joined
// only to it, or -1. It takes at least two others to make a hub.
func findHub(n int, adj map[[2]int]bool) int {
	if n < 3 {
		return -1
	}
	for h := 0; h < n; h++ {
		ok := true
		for i := 0; i < n && ok; i++ {
			for j := i + 1; j < n && ok; j++ {
				joined := adj[[2]int{i, j}]
				if i == h || j == h {
					ok = joined
				} else {
					ok = !joined
				}
			}
		}
		if ok {
			return h
		}
	}
	return -1
}

// apart reports whether every two boxes keep the gaps between them.
func apart(boxes []*svgBox) bool {
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			dx, dy := math.Abs(a.cx-b.cx), math.Abs(a.cy-b.cy)
			if dx < (a.w+b.w)/2+gapX && dy < (a.h+b.h)/2+gapY {
				return false
			}
		}
	}
	return true
}
