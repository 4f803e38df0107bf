package main

import (
	"fmt"
	"math"
	"strings"
)

// series is one line of the plot.
type series struct {
	label, color, dash string
	xs, ys             []float64
}

// plot draws wall time (log scale) against N for each topology, netscript
// and shell twins, as a self-contained SVG.
func plot(s map[string]sample) string {
	var ser []series
	for _, t := range topos {
		for _, v := range []struct{ who, color, dash string }{
			{"netscript", "#1f77b4", ""}, {"shell", "#d62728", ""}, {"setup-batch", "#7f7f7f", "4 3"},
		} {
			sr := series{label: fmt.Sprintf("%s %s", strings.ToLower(t.name), v.who), color: v.color, dash: v.dash}
			if t.name == "Bridge" {
				sr.dash = "1 3"
				if v.who == "setup-batch" {
					continue
				}
			}
			for _, n := range t.sizes {
				if x, ok := s[fmt.Sprintf("%s/N=%d/%s", t.name, n, v.who)]; ok && x.wall > 0 {
					sr.xs = append(sr.xs, float64(n))
					sr.ys = append(sr.ys, x.wall/1e6)
				}
			}
			ser = append(ser, sr)
		}
	}
	// The axes span the data: N from the smallest to the largest size
	// (ticks at powers of two), time in whole decades around every point.
	nMin, nMax, msMin, msMax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, sr := range ser {
		for j := range sr.xs {
			nMin, nMax = math.Min(nMin, sr.xs[j]), math.Max(nMax, sr.xs[j])
			msMin, msMax = math.Min(msMin, sr.ys[j]), math.Max(msMax, sr.ys[j])
		}
	}
	if math.IsInf(nMin, 0) { // no data: an empty frame
		nMin, nMax, msMin, msMax = 4, 64, 1, 1000
	}
	if nMax <= nMin {
		nMax = 2 * nMin
	}
	eMin, eMax := math.Floor(math.Log10(msMin)), math.Ceil(math.Log10(msMax))
	if eMax <= eMin {
		eMax = eMin + 1
	}
	const W, H, L, R, T, B = 720, 440, 70, 200, 30, 50
	x := func(n float64) float64 {
		return L + (math.Log2(n)-math.Log2(nMin))/(math.Log2(nMax)-math.Log2(nMin))*(W-L-R)
	}
	y := func(msec float64) float64 { return H - B - (math.Log10(msec)-eMin)/(eMax-eMin)*(H-T-B) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", W, H)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", W, H)
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14">Wall time against N (median; log–log)</text>`+"\n", L)
	for n := nMin; n <= nMax*1.0001; n *= 2 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">%g</text>`+"\n", x(n), T, x(n), H-B, x(n), H-B+16, n)
	}
	for e := eMin; e <= eMax; e++ {
		v := math.Pow(10, e)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", L, y(v), W-R, y(v), L-6, y(v)+4, msLabel(v))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">N namespaces</text>`+"\n", (W-R+L)/2, H-12)
	for i, sr := range ser {
		var pts []string
		for j := range sr.xs {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(sr.xs[j]), y(sr.ys[j])))
		}
		dash := ""
		if sr.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, sr.dash)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), sr.color, dash)
		for _, p := range pts {
			xy := strings.Split(p, ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", xy[0], xy[1], sr.color)
		}
		ly := T + 20 + i*20
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/><text x="%d" y="%d">%s</text>`+"\n", W-R+15, ly, W-R+45, ly, sr.color, dash, W-R+50, ly+4, sr.label)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// msLabel names a decade of milliseconds: "0.1 ms", "10 ms", "1 s", "100 s".
func msLabel(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%g s", ms/1000)
	}
	return fmt.Sprintf("%g ms", ms)
}
