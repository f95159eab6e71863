package htmlreport

import (
	"fmt"
	"html"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A chartSize is the geometry of a chart, in SVG user units (pixels at
// the page's natural width).
type chartSize struct {
	width, height            float64
	left, right, top, bottom float64 // margins around the plot
	xTicks, yTicks           int     // about how many ticks
	markLabels               bool    // label the marks at the top
}

var (
	bigChart   = chartSize{width: 1160, height: 260, left: 64, right: 16, top: 22, bottom: 26, xTicks: 9, yTicks: 5, markLabels: true}
	smallChart = chartSize{width: 370, height: 120, left: 44, right: 8, top: 8, bottom: 20, xTicks: 3, yTicks: 3}
)

// Colours, shared with the page's style.
const (
	colourData    = "#3465a4"
	colourRestart = "#8e24aa"
	colourDeploy  = "#00897b"
	colourMark    = "#757575"
	colourGrid    = "#e3e3e3"
	colourAxis    = "#555"
)

var verdictColour = map[string]string{
	VerdictLeak:    "#c62828",
	VerdictSuspect: "#e65100",
	VerdictOK:      "#2e7d32",
}

// chart draws a series as an SVG element: time on x, the count on y, with
// grid lines and tick labels, the data as a line that breaks at gaps,
// the marks as labelled vertical lines, and the trends dashed, in the
// colour of the verdict.
func chart(s Series, size chartSize) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		size.width, size.height, size.width, size.height, escapeText("goroutines of "+s.Name+" over time"))
	t0, t1, ok := timeRange(s)
	if !ok {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="empty">no data</text></svg>`, size.width/2, size.height/2)
		return b.String()
	}
	lo, hi := valueRange(s)
	yTicks := niceTicks(lo, hi, size.yTicks)
	lo, hi = min(lo, yTicks[0]), max(hi, yTicks[len(yTicks)-1])
	plotW := size.width - size.left - size.right
	plotH := size.height - size.top - size.bottom
	x := func(t time.Time) float64 {
		return size.left + plotW*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	y := func(v float64) float64 {
		return size.top + plotH*(1-(v-lo)/(hi-lo))
	}

	// Grid and axes.
	b.WriteString(`<g class="grid">`)
	for _, v := range yTicks {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>`, size.left, size.width-size.right, y(v), y(v), colourGrid)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, size.left-6, y(v), formatCount(v))
	}
	for _, tk := range timeTicks(t0, t1, size.xTicks) {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>`, x(tk.t), x(tk.t), size.top, size.top+plotH, colourGrid)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(tk.t), size.height-size.bottom+15, escapeText(tk.label))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>`, size.left, size.width-size.right, size.top+plotH, size.top+plotH, colourAxis)
	b.WriteString(`</g>`)

	// Marks, under the data.
	for i, m := range s.Marks {
		if m.T.Before(t0) || m.T.After(t1) {
			continue
		}
		colour := markColour(m.Label)
		mx := x(m.T)
		fmt.Fprintf(&b, `<g class="mark"><title>%s</title><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`,
			escapeText(m.Label+" at "+m.T.UTC().Format("2006-01-02 15:04:05 MST")), mx, mx, size.top, size.top+plotH, colour)
		if size.markLabels && m.Label != "" {
			// Alternate the height of the labels so that close marks
			// stay readable.
			ly := size.top - 6
			if i%2 == 1 {
				ly = size.top + 10
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="%s" class="marklabel">%s</text>`, mx+3, ly, colour, escapeText(clip(m.Label, 24)))
		}
		b.WriteString(`</g>`)
	}

	// The data: one path, its segments broken at gaps, each segment
	// downsampled to the plot's width.
	cols := int(plotW)
	b.WriteString(`<path class="data" fill="none" stroke="` + colourData + `" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round" d="`)
	for _, seg := range segments(s.Points, step(s)) {
		for i, p := range downsample(seg, t0, t1, cols) {
			cmd := 'L'
			if i == 0 {
				cmd = 'M'
			}
			fmt.Fprintf(&b, "%c%.1f %.1f", cmd, x(p.T), y(p.V))
		}
		if len(seg) == 1 {
			b.WriteString("h0") // a lone sample: a dot, by the round cap
		}
	}
	b.WriteString(`"/>`)

	// Trends over the data.
	colour := verdictColour[verdictClass(s.Verdict)]
	for _, l := range s.Trends {
		if !finite(l.From.V) || !finite(l.To.V) {
			continue
		}
		fmt.Fprintf(&b, `<line class="trend" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5" stroke-dasharray="8 4"/>`,
			x(l.From.T), y(l.From.V), x(l.To.T), y(l.To.V), colour)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// escapeText makes s safe as SVG text or an attribute's value: escaped,
// with invalid UTF-8 and control characters, which XML forbids, shown as
// U+FFFD.
func escapeText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == 0xfffe || r == 0xffff {
			return '\ufffd'
		}
		return r
	}, strings.ToValidUTF8(s, "\ufffd"))
	return html.EscapeString(s)
}

// markColour is the colour of a mark with label.
func markColour(label string) string {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "restart"):
		return colourRestart
	case strings.Contains(l, "deploy"):
		return colourDeploy
	}
	return colourMark
}

// timeRange is the span of a series' points, marks and trends; ok is
// false for a series with no point.
func timeRange(s Series) (t0, t1 time.Time, ok bool) {
	for _, p := range s.Points {
		if !ok || p.T.Before(t0) {
			t0 = p.T
		}
		if !ok || p.T.After(t1) {
			t1 = p.T
		}
		ok = true
	}
	if !ok {
		return t0, t1, false
	}
	for _, l := range s.Trends {
		for _, t := range []time.Time{l.From.T, l.To.T} {
			t0, t1 = minTime(t0, t), maxTime(t1, t)
		}
	}
	if !t1.After(t0) {
		// One instant: a minute around it.
		t0, t1 = t0.Add(-30*time.Second), t1.Add(30*time.Second)
	}
	return t0, t1, true
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// valueRange is the range of the values of a series and its trends.
// Counts near zero are drawn from zero, so that noise on a small count
// does not look like a swing; a flat line is drawn in the middle.
func valueRange(s Series) (lo, hi float64) {
	lo, hi, _, n := valueStats(s.Points)
	if n == 0 {
		return 0, 1
	}
	for _, l := range s.Trends {
		for _, v := range []float64{l.From.V, l.To.V} {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	least := lo
	switch {
	case hi-lo < 1:
		// A flat line, drawn in the middle.
		lo, hi = lo-1, hi+1
	case lo >= 0 && lo <= hi/2:
		lo = 0
	default:
		// A margin, so that the line does not run along the axis.
		pad := (hi - lo) / 20
		lo, hi = lo-pad, hi+pad
	}
	if least >= 0 && lo < 0 {
		lo = 0 // no axis below zero for counts that never are
	}
	return lo, hi
}

// valueStats returns the least, greatest and last finite values of
// points, and how many there are.
func valueStats(points []Point) (lo, hi, last float64, n int) {
	for _, p := range points {
		if !finite(p.V) {
			continue
		}
		if n == 0 {
			lo, hi = p.V, p.V
		}
		lo, hi, last = min(lo, p.V), max(hi, p.V), p.V
		n++
	}
	return lo, hi, last, n
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// step is a series' interval between samples: its Step, or the median
// interval between its points.
func step(s Series) time.Duration {
	if s.Step > 0 {
		return s.Step
	}
	var ds []time.Duration
	for i := 1; i < len(s.Points); i++ {
		if d := s.Points[i].T.Sub(s.Points[i-1].T); d > 0 {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// segments splits points into runs joined by a line: a missing value
// (NaN) or two points more than 1.5 steps apart end a run.
func segments(points []Point, step time.Duration) [][]Point {
	var segs [][]Point
	start := -1
	for i, p := range points {
		if !finite(p.V) {
			if start >= 0 {
				segs = append(segs, points[start:i])
			}
			start = -1
			continue
		}
		if start >= 0 && step > 0 && p.T.Sub(points[i-1].T) > step*3/2 {
			segs = append(segs, points[start:i])
			start = -1
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		segs = append(segs, points[start:])
	}
	return segs
}

// downsample keeps, of the points falling in each of cols columns
// across [t0, t1], the first, the least, the greatest and the last, in
// time order: a line through them covers the same pixels as a line
// through all of them, in at most 4 points a column.
func downsample(seg []Point, t0, t1 time.Time, cols int) []Point {
	if cols < 1 || len(seg) <= 4*cols {
		return seg
	}
	span := float64(t1.Sub(t0))
	col := func(t time.Time) int {
		return min(cols-1, max(0, int(float64(t.Sub(t0))/span*float64(cols))))
	}
	out := make([]Point, 0, 4*cols)
	for i := 0; i < len(seg); {
		c := col(seg[i].T)
		j := i
		lo, hi := i, i
		for j < len(seg) && col(seg[j].T) == c {
			if seg[j].V < seg[lo].V {
				lo = j
			}
			if seg[j].V > seg[hi].V {
				hi = j
			}
			j++
		}
		keep := []int{i, lo, hi, j - 1}
		slices.Sort(keep)
		keep = slices.Compact(keep)
		for _, k := range keep {
			out = append(out, seg[k])
		}
		i = j
	}
	return out
}

// followable reports whether a link's URL may be followed from the page:
// http, https, or relative.
func followable(u string) bool {
	p, err := url.Parse(u)
	if err != nil || u == "" {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https", "":
		return true
	}
	return false
}

// clip cuts s to n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// formatCount writes a count for an axis or a table: whole numbers as
// such, large ones with k or M.
func formatCount(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trimZero(strconv.FormatFloat(v/1e6, 'f', 1, 64)) + "M"
	case a >= 1e4:
		return trimZero(strconv.FormatFloat(v/1e3, 'f', 1, 64)) + "k"
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return trimZero(strconv.FormatFloat(v, 'f', 2, 64))
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
