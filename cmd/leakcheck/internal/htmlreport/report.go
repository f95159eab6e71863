// Package htmlreport writes one self-contained HTML page: charts of
// goroutine counts over time and a table of kinds.
//
// The page needs nothing but itself: its charts are inline SVG, its style
// inline CSS, and it loads no script, font or image, so that it opens
// anywhere, a CI artifact viewer included. It is written for the person
// on call: the summary first, then the charts of the flagged series
// (leaks, then suspects) drawn large with real times and counts, then the
// kinds with their stacks, then the series judged ok, small, or as rows
// of a table past the first few dozen, so that a page of a thousand
// series stays light. Every chart is downsampled to its width in pixels.
package htmlreport

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"
)

// Verdicts, as [Series.Verdict] and [Kind.Verdict] hold them. Another
// value is drawn as [VerdictOK] is.
const (
	VerdictLeak    = "leak"
	VerdictSuspect = "suspect"
	VerdictOK      = "ok"
)

// A Point is a count at a time. A NaN value is a missing sample (a
// failed scrape, a staleness marker): the line breaks there.
type Point struct {
	T time.Time
	V float64
}

// A Mark is a vertical marker at a time, labelled: "restart", "deploy",
// or anything else. Restarts and deploys get colours of their own.
type Mark struct {
	T     time.Time
	Label string
}

// A Line is a fitted trend segment, drawn dashed over the data.
type Line struct{ From, To Point }

// A Series is the count of one thing over time: an instance's goroutines,
// or a kind's in a watch. It is drawn as one chart.
type Series struct {
	Name    string  // "api 10.0.0.7:9100", or the watched URL
	Points  []Point // in time order; a gap longer than the step is drawn as a gap
	Marks   []Mark
	Trends  []Line // one per life that has a trend
	Verdict string // "leak", "suspect" or "ok"
	Note    string // one line, e.g. "+40/h in each of 3 lives"
	// Step is the interval between samples. Two points further apart
	// than 1.5 steps are not joined. Zero means the median interval of
	// Points.
	Step time.Duration
}

// A Link is a hyperlink. Only http, https and relative URLs are linked;
// another URL (javascript:, data:) is shown as text.
type Link struct{ Text, URL string }

// A Kind is one kind of goroutine, a row of the table of kinds.
type Kind struct {
	Verdict string // "leak", "suspect" or "ok"
	Title   string // e.g. "chan send in main.compute"
	Summary string // e.g. "grows on 17 of 20 instances of job api, +40/h each, proven leaked on 3"
	Stack   string // one stack, as text
	Links   []Link // e.g. the pprof URLs it was read from
}

// A Report is what one page shows.
type Report struct {
	Title     string
	Generated time.Time
	Summary   []string // lines shown at the top
	Series    []Series // one chart each, in this order within each verdict: leaks, suspects, then ok
	// Overview holds series drawn large before all others and not
	// counted by verdict: a service's total count in a watch. One with
	// no Verdict gets no badge.
	Overview []Series
	Kinds    []Kind
	Links    []Link
}

// Limits that keep a page of a thousand series light.
const (
	// maxSmallCharts is how many series judged ok get a small chart;
	// the others are rows of a table.
	maxSmallCharts = 48
	// maxBigCharts is how many flagged series get a large chart; the
	// others are drawn small, then as rows.
	maxBigCharts = 200
)

// Write writes r as one self-contained HTML document. It fails only when
// w does: any text, however hostile, is escaped.
func Write(w io.Writer, r Report) error {
	p := page{Report: r, Generated: r.Generated.UTC().Format("2006-01-02 15:04:05 MST")}
	if r.Generated.IsZero() {
		p.Generated = ""
	}
	for i, s := range r.Overview {
		f := figure(s, i, bigChart)
		if s.Verdict == "" {
			f.Class, f.Verdict = "plain", ""
		}
		p.OverviewCharts = append(p.OverviewCharts, f)
	}
	flagged, ok := split(r.Series)
	for i, s := range flagged {
		if i < maxBigCharts {
			p.Big = append(p.Big, figure(s, len(p.OverviewCharts)+i, bigChart))
			continue
		}
		ok = append(flagged[i:], ok...)
		break
	}
	p.Flagged = len(flagged)
	p.Others = len(r.Series) - len(p.Big)
	for i, s := range ok {
		if i < maxSmallCharts {
			p.Small = append(p.Small, figure(s, len(p.OverviewCharts)+len(p.Big)+i, smallChart))
		} else {
			p.Rows = append(p.Rows, tableRow(s))
		}
	}
	for _, s := range r.Series {
		switch verdictClass(s.Verdict) {
		case VerdictLeak:
			p.Leaks++
		case VerdictSuspect:
			p.Suspects++
		}
	}
	p.OK = len(r.Series) - p.Leaks - p.Suspects
	for _, k := range r.Kinds {
		k.Verdict = shownVerdict(k.Verdict)
		p.KindRows = append(p.KindRows, kindRow{Kind: k, Class: verdictClass(k.Verdict), Links: links(k.Links)})
	}
	p.PageLinks = links(r.Links)
	return pageTemplate.Execute(w, p)
}

// split returns the flagged series, leaks first, and those judged ok,
// each in the order given.
func split(series []Series) (flagged, ok []Series) {
	for _, s := range series {
		if verdictClass(s.Verdict) == VerdictOK {
			ok = append(ok, s)
		} else {
			flagged = append(flagged, s)
		}
	}
	slices.SortStableFunc(flagged, func(a, b Series) int {
		return cmp.Compare(rank(a.Verdict), rank(b.Verdict))
	})
	return flagged, ok
}

func rank(verdict string) int {
	if verdictClass(verdict) == VerdictLeak {
		return 0
	}
	return 1
}

// verdictClass maps a verdict to one of the three the page knows.
func verdictClass(v string) string {
	switch v {
	case VerdictLeak, VerdictSuspect:
		return v
	}
	return VerdictOK
}

// shownVerdict is the verdict a badge shows: as given, "ok" when empty.
func shownVerdict(v string) string {
	if v == "" {
		return VerdictOK
	}
	return v
}

// page is what the template reads.
type page struct {
	Report
	Generated                  string
	Leaks, Suspects, OK        int
	Flagged, Others            int
	OverviewCharts, Big, Small []chartFigure
	Rows                       []seriesRow
	KindRows                   []kindRow
	PageLinks                  []safeLink
}

type chartFigure struct {
	ID      string
	Name    string
	Note    string
	Class   string
	Verdict string
	SVG     template.HTML // built by chart, every text in it escaped
}

type seriesRow struct {
	Name, Note, Class, Verdict string
	Last, Min, Max             string
	Points                     int
}

type kindRow struct {
	Kind
	Class string
	Links []safeLink
}

// safeLink is a link whose URL may be followed (HREF set) or only shown.
type safeLink struct {
	Text string
	HREF template.URL
	URL  string
}

func figure(s Series, i int, size chartSize) chartFigure {
	return chartFigure{
		ID:      fmt.Sprintf("series-%d", i+1),
		Name:    s.Name,
		Note:    s.Note,
		Class:   verdictClass(s.Verdict),
		Verdict: shownVerdict(s.Verdict),
		SVG:     template.HTML(chart(s, size)),
	}
}

func tableRow(s Series) seriesRow {
	r := seriesRow{Name: s.Name, Note: s.Note, Class: verdictClass(s.Verdict), Verdict: shownVerdict(s.Verdict)}
	lo, hi, last, n := valueStats(s.Points)
	r.Points = n
	if n > 0 {
		r.Last, r.Min, r.Max = formatCount(last), formatCount(lo), formatCount(hi)
	}
	return r
}

func links(ls []Link) []safeLink {
	out := make([]safeLink, 0, len(ls))
	for _, l := range ls {
		sl := safeLink{Text: l.Text, URL: l.URL}
		if sl.Text == "" {
			sl.Text = l.URL
		}
		if followable(l.URL) {
			sl.HREF = template.URL(l.URL)
		}
		out = append(out, sl)
	}
	return out
}
