package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
)

// maxLiveRows bounds the rows of the live table.
const maxLiveRows = 20

// A series is one kind of goroutine across the samples of a watch.
type series struct {
	group  *report.Group // as last seen
	counts []int         // one per sample, 0 where absent
}

// runWatch samples a service every -every until -for has passed or the
// user interrupts it, shows what grows, and ends with the report: a kind
// that grew steadily across the samples is a suspect, a leak when the
// runtime proves goroutines of it leaked.
func runWatch(ctx context.Context, o *options, args []string) (int, error) {
	if len(args) != 1 || !isURL(args[0]) {
		if len(args) == 1 && schemeHint(args[0]) != "" {
			return exitError, fmt.Errorf("want the URL of a service, with its scheme: http://%s", args[0])
		}
		return exitError, errors.New("want the URL of a service, such as http://localhost:6060/debug/pprof/")
	}
	if f, ok := o.stdout.(*os.File); ok {
		// A character device is a terminal (or /dev/null, which shows nothing).
		fi, err := f.Stat()
		o.terminal = err == nil && fi.Mode()&os.ModeCharDevice != 0
	}
	svc, err := newService(o, args[0])
	if err != nil {
		return exitError, err
	}
	var page *watchPage
	if o.htmlFile != "" {
		if page, err = newWatchPage(o, svc.name()); err != nil {
			return exitError, fmt.Errorf("-html: %v", err)
		}
	}
	explicit := false
	o.fs.Visit(func(f *flag.Flag) {
		if f.Name == "source" {
			explicit = true
		}
	})
	sampleCtx := ctx
	if o.duration > 0 {
		var cancel context.CancelFunc
		sampleCtx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}

	var (
		source  = o.source
		byFP    = make(map[string]*series)
		order   []*series
		last    *snapshot
		samples int
		failed  int
		started = time.Now()
		ticker  = time.NewTicker(o.every)
	)
	defer ticker.Stop()
	for {
		snap, err := watchSample(sampleCtx, svc, &source, explicit || samples > 0)
		switch {
		case err != nil && sampleCtx.Err() != nil:
			// Interrupted or out of time during a sample: stop.
		case err != nil && samples == 0:
			return exitError, err
		case err != nil:
			failed++
			if page != nil {
				page.failure(time.Now())
			}
			fmt.Fprintf(o.stderr, "leakcheck watch: %s sample skipped: %v\n", time.Now().Format("15:04:05"), err)
		default:
			samples++
			last = snap
			for _, gr := range snap.groups {
				s := byFP[gr.Fingerprint]
				if s == nil {
					s = &series{counts: make([]int, samples-1)}
					byFP[gr.Fingerprint] = s
					order = append(order, s)
				}
				s.group = gr
				s.counts = append(s.counts, gr.Size())
			}
			for _, s := range order {
				if len(s.counts) < samples {
					s.counts = append(s.counts, 0)
				}
			}
			showSample(o, svc, source, snap, order, samples, started)
			if page != nil {
				page.sample(time.Now(), snap.total)
				page.refresh(order)
			}
		}
		if sampleCtx.Err() != nil {
			break
		}
		select {
		case <-sampleCtx.Done():
		case <-ticker.C:
		}
		if sampleCtx.Err() != nil {
			break
		}
	}
	// A second ^C now stops the command, even during the last request.
	signal.Reset(os.Interrupt)
	if last == nil {
		return exitError, errors.New("interrupted before the first sample")
	}

	// The final report: mark proven leaks in the last sample, with a
	// context of its own, since the watch's is over.
	leakNote := leakNote(o.leakProfile)
	if o.leakProfile && svc.endpoint == "" {
		fctx, cancel := context.WithTimeout(context.Background(), o.timeout)
		debug := map[string]string{sourceProfile: "0", sourceText: "1", sourceDump: "2"}[source]
		leaked, err := svc.read(fctx, svc.base+"goroutineleak?debug="+debug)
		cancel()
		switch {
		case err == nil:
			markProven(last, leaked)
			leakNote = "leaks proven by the runtime (/debug/pprof/goroutineleak, asked once, after the last sample)"
		case isNotFound(err):
		default:
			leakNote = "could not ask /debug/pprof/goroutineleak: " + err.Error()
		}
	}
	var js []*judged
	for _, s := range order {
		j := &judged{group: s.group, samples: s.counts, after: s.counts[len(s.counts)-1]}
		j.gone = j.after == 0
		suspect, why := growth(o, s.counts)
		switch {
		case proven(s.group) && !j.gone:
			j.verdict, j.reason = verdictLeak, proofReason(s.group)
			if suspect {
				j.reason = why + "; " + j.reason
			}
		case suspect && provable(s.group):
			j.verdict, j.reason = verdictSuspect, why
		default:
			j.verdict = verdictOK
		}
		js = append(js, j)
	}
	slices.SortStableFunc(js, func(a, b *judged) int {
		if d := rank(a.verdict) - rank(b.verdict); d != 0 {
			return d
		}
		return (b.after - b.samples[0]) - (a.after - a.samples[0])
	})
	header := fmt.Sprintf("leakcheck watch: %s: %s over %v, every %v, from the %s (%s in %s at the last sample)",
		svc.name(), report.Plural(samples, "sample"), time.Since(started).Round(time.Second), o.every, sourceName(source),
		report.Plural(last.total, "goroutine"), report.Plural(len(last.groups), "kind"))
	err = output(o, svc.name(), js, false, "leakcheck watch "+svc.name(), func(b *strings.Builder) {
		if o.terminal {
			b.WriteString("\n")
		}
		b.WriteString(header + "\n")
		b.WriteString("    " + leakNote + "\n")
		if failed > 0 {
			fmt.Fprintf(b, "    %s failed and were skipped\n", report.Plural(failed, "sample"))
		}
		if samples < 2 {
			b.WriteString("    one sample only: nothing can be seen growing (watch longer than -every)\n")
		}
		writeDetails(b, js, watchRow)
		b.WriteString(verdictLine(js, last.total, "goroutine"))
	})
	if err != nil {
		return exitError, err
	}
	if page != nil {
		summary := []string{header, leakNote, strings.TrimSpace(verdictLine(js, last.total, "goroutine"))}
		if err := page.final(js, summary); err != nil {
			return exitError, fmt.Errorf("-html: %v", err)
		}
		fmt.Fprintf(o.stderr, "leakcheck watch: the page of charts is %s\n", o.htmlFile)
	}
	if o.httpAddr != "" {
		// The watch's ^C is spent: a new one stops the web UI.
		uictx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		if err := serveWebUI(uictx, o, js, "leakcheck watch "+svc.name()); err != nil {
			return exitError, err
		}
	}
	return status(js), nil
}

// watchSample reads one sample. Unless the user chose a source, the
// first sample finds the cheapest one the service serves: the protocol
// buffer profile, then the text profile, then the dump.
func watchSample(ctx context.Context, svc *service, source *string, explicit bool) (*snapshot, error) {
	if svc.endpoint != "" {
		return svc.read(ctx, svc.endpoint)
	}
	if explicit {
		return svc.snapshot(ctx, *source, false)
	}
	var firstErr error
	for _, s := range []string{*source, sourceText, sourceDump} {
		snap, err := svc.snapshot(ctx, s, false)
		if err == nil {
			*source = s
			return snap, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if !isNotFound(err) {
			break
		}
	}
	return nil, firstErr
}

// sourceName says what a source is, for the report.
func sourceName(source string) string {
	switch source {
	case sourceText:
		return "goroutine profile (debug=1)"
	case sourceDump:
		return "goroutine dump (debug=2)"
	}
	return "goroutine profile (debug=0)"
}

// name is how the report names the service.
func (s *service) name() string {
	if s.endpoint != "" {
		return s.endpoint
	}
	return s.base
}

// showSample shows the kinds that grow: on a terminal a table redrawn
// at each sample, otherwise plain lines for the kinds that grew since
// the previous sample.
func showSample(o *options, svc *service, source string, snap *snapshot, order []*series, n int, started time.Time) {
	if o.json && !o.terminal {
		return // standard output is for the records
	}
	now := time.Now().Format("15:04:05")
	w := o.stdout
	if o.json {
		w = o.stderr
	}
	if !o.terminal {
		fmt.Fprintf(w, "%s sample %d: %s in %s\n", now, n, report.Plural(snap.total, "goroutine"), report.Plural(len(snap.groups), "kind"))
		if n < 2 {
			return
		}
		for _, s := range order {
			c := s.counts
			if d := c[n-1] - c[n-2]; d > 0 {
				fmt.Fprintf(w, "%s   %+d -> %d  %s  %s  [%s]\n", now, d, c[n-1], s.group.First().State, where(s.group.First()), s.group.Fingerprint)
			}
		}
		return
	}
	var b strings.Builder
	b.WriteString("\x1b[H\x1b[2J") // home, clear screen
	fmt.Fprintf(&b, "leakcheck watch %s   %s\nsample %d at %s, every %v, for %v; %s in %s; ^C stops and reports\n\n",
		svc.name(), sourceName(source), n, now, o.every, time.Since(started).Round(time.Second),
		report.Plural(snap.total, "goroutine"), report.Plural(len(snap.groups), "kind"))
	grown := slices.Clone(order)
	slices.SortStableFunc(grown, func(a, b *series) int { return growthOf(b) - growthOf(a) })
	fmt.Fprintf(&b, "%7s %7s  %-24s %-16s %s\n", "now", "growth", "last samples", "state", "where")
	rows := 0
	for _, s := range grown {
		if growthOf(s) <= 0 || rows == maxLiveRows {
			break
		}
		rows++
		fmt.Fprintf(&b, "%7d %+7d  %-24s %-16s %s\n", s.counts[n-1], growthOf(s), clip(lastCounts(s.counts, 6), 24), clip(s.group.First().State, 16), where(s.group.First()))
	}
	if rows == 0 {
		b.WriteString("    (nothing has grown since the first sample)\n")
	}
	io.WriteString(w, b.String())
}

// growthOf is a series' growth since the first sample.
func growthOf(s *series) int { return s.counts[len(s.counts)-1] - s.counts[0] }

// lastCounts renders the last n counts of a series.
func lastCounts(counts []int, n int) string {
	if len(counts) > n {
		counts = counts[len(counts)-n:]
	}
	parts := make([]string, len(counts))
	for i, c := range counts {
		parts[i] = fmt.Sprint(c)
	}
	return strings.Join(parts, " ")
}

// watchRow is one line for a kind in the final report of a watch.
func watchRow(j *judged) string {
	g := j.group.First()
	return fmt.Sprintf("%7d  %-20s %s  (samples: %s)", j.after, clip(g.State, 20), where(g), lastCounts(j.samples, 8))
}
