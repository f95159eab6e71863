package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/cmd/leakcheck/internal/htmlreport"
	"github.com/leakcheck/leakcheck/internal/report"
)

// What a watch's page (-html) draws besides the flagged kinds.
const (
	// pageInterimKinds is how many of the kinds that grew most the page
	// written during a watch draws: they are judged at every sample.
	pageInterimKinds = 8
	// pageOKKinds is how many of the largest kinds judged ok the final
	// page draws, small, for context.
	pageOKKinds = 12
)

// A watchPage is the page of charts a watch writes to -html: the total
// count and the count of each kind that matters at each sample, the
// trends of the suspects, the kinds with their stacks. It is written
// after each sample, judged by growth alone, and when the watch ends,
// with the final verdicts.
type watchPage struct {
	o       *options
	service string
	// times are those of the samples taken. The series set no Step: a
	// slow service stretches the intervals past -every, and the median
	// interval says better where a gap is.
	times  []time.Time
	totals []int       // the goroutines of each sample
	failed []time.Time // samples that failed
}

// newWatchPage writes a first page, so that a path that cannot be written
// fails the watch at once.
func newWatchPage(o *options, service string) (*watchPage, error) {
	p := &watchPage{o: o, service: service}
	return p, p.write(nil, []string{"waiting for the first sample"})
}

// sample records a sample's time and total.
func (p *watchPage) sample(t time.Time, total int) {
	p.times = append(p.times, t)
	p.totals = append(p.totals, total)
}

// failure records a sample that failed: a mark on the total's chart.
func (p *watchPage) failure(t time.Time) { p.failed = append(p.failed, t) }

// refresh rewrites the page during the watch with the kinds that grew
// most, judged by growth alone (the runtime's proofs come at the end),
// which fits at most maxFitPoints samples spread over the watch, so that
// a long watch's page costs the same at each sample.
// A failure to write is reported and the watch goes on.
func (p *watchPage) refresh(order []*series) {
	grown := slices.Clone(order)
	slices.SortStableFunc(grown, func(a, b *series) int { return growthOf(b) - growthOf(a) })
	var js []*judged
	for _, s := range grown {
		if len(js) == pageInterimKinds || growthOf(s) <= 0 {
			break
		}
		j := &judged{group: s.group, samples: s.counts, verdict: verdictOK}
		if suspect, why := growth(p.o, s.counts); suspect && provable(s.group) {
			j.verdict, j.reason = verdictSuspect, why
		}
		js = append(js, j)
	}
	note := fmt.Sprintf("watching: sample %d at %s; the page is rewritten at each sample, and when the watch ends with the final verdicts",
		len(p.times), p.times[len(p.times)-1].UTC().Format("15:04:05 MST"))
	if err := p.write(js, []string{note}); err != nil {
		fmt.Fprintf(p.o.stderr, "leakcheck watch: -html: %v\n", err)
	}
}

// final writes the page of a finished watch: its judged kinds, leaks and
// suspects drawn large with their stacks, the largest others small.
func (p *watchPage) final(js []*judged, summary []string) error {
	var shown []*judged
	ok := 0
	for _, j := range js {
		if j.verdict != verdictOK {
			shown = append(shown, j)
		} else if ok < pageOKKinds && !j.gone {
			shown = append(shown, j)
			ok++
		}
	}
	return p.write(shown, summary)
}

// write writes the page with the kinds js, replacing the file whole so
// that a browser reloading it never sees half a page.
func (p *watchPage) write(js []*judged, summary []string) error {
	r := htmlreport.Report{
		Title:     "leakcheck watch " + p.service,
		Generated: time.Now(),
		Summary:   summary,
		Links:     []htmlreport.Link{{Text: "the service's goroutines (debug=1)", URL: serviceLink(p.service)}},
	}
	if len(p.times) > 0 {
		total := htmlreport.Series{Name: "all goroutines",
			Note: fmt.Sprintf("from %d to %d over %s, every %v", p.totals[0], p.totals[len(p.totals)-1], report.Plural(len(p.times), "sample"), p.o.every)}
		for i, t := range p.times {
			total.Points = append(total.Points, htmlreport.Point{T: t, V: float64(p.totals[i])})
		}
		for _, t := range p.failed {
			total.Marks = append(total.Marks, htmlreport.Mark{T: t, Label: "sample failed"})
		}
		r.Overview = []htmlreport.Series{total}
	}
	for _, j := range js {
		r.Series = append(r.Series, p.kindSeries(j))
		if j.verdict != verdictOK {
			var stack strings.Builder
			report.WriteGroup(&stack, 1, 1, j.group, j.verdict, j.test)
			r.Kinds = append(r.Kinds, htmlreport.Kind{
				Verdict: j.verdict,
				Title:   j.group.First().State + " in " + where(j.group.First()),
				Summary: j.reason,
				Stack:   stack.String(),
			})
		}
	}
	return writeFileWhole(p.o.htmlFile, func(f *os.File) error { return htmlreport.Write(f, r) })
}

// kindSeries is a kind's count at each sample, with its trend when it is
// flagged and rises.
func (p *watchPage) kindSeries(j *judged) htmlreport.Series {
	g := j.group.First()
	s := htmlreport.Series{
		Name:    fmt.Sprintf("%s in %s [%s]", g.State, where(g), j.group.Fingerprint),
		Verdict: j.verdict,
		Note:    lastCounts(j.samples, 1) + " now",
	}
	n := min(len(j.samples), len(p.times))
	for i, c := range j.samples[:n] {
		s.Points = append(s.Points, htmlreport.Point{T: p.times[i], V: float64(c)})
	}
	if j.verdict == verdictOK {
		return s
	}
	if perHour, at, ok := trendInTime(p.times[:n], j.samples[:n]); ok && perHour > 0 {
		last := p.times[n-1]
		s.Trends = []htmlreport.Line{{
			From: htmlreport.Point{T: p.times[0], V: at},
			To:   htmlreport.Point{T: last, V: at + perHour*last.Sub(p.times[0]).Hours()},
		}}
		s.Note = fmt.Sprintf("%s now, trend %+.0f/h", lastCounts(j.samples, 1), perHour)
	}
	return s
}

// trendInTime fits the Theil-Sen line through the counts against their
// times, which a failed or slow sample spaces unevenly (the watch's test
// counts samples; the chart draws time): its slope per hour, and its
// value at the first sample, the median of what each sample puts there.
// ok is false for fewer than two samples at different times.
func trendInTime(times []time.Time, counts []int) (perHour, first float64, ok bool) {
	hours := make([]float64, len(times))
	for i, t := range times {
		hours[i] = t.Sub(times[0]).Hours()
	}
	perHour, ok = theilSen(hours, floats(counts))
	if !ok {
		return 0, 0, false
	}
	at := make([]float64, len(counts))
	for i, c := range counts {
		at[i] = float64(c) - perHour*hours[i]
	}
	return perHour, median(at), true
}

// serviceLink is the URL of a service's goroutines as text, to open
// from the page.
func serviceLink(service string) string {
	if strings.HasSuffix(service, "/debug/pprof/") {
		return service + "goroutine?debug=1"
	}
	return service
}

// writeFileWhole writes a file through a temporary one beside it,
// renamed over it once complete.
func writeFileWhole(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
