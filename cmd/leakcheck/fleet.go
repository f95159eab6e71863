package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	// fleetPoints is how many steps -step defaults to over -since: a
	// day at two minutes, a week at fourteen, enough for a trend and a
	// small answer.
	fleetPoints = 720
	// minAutoStep is the finest step chosen when -step is not given: a
	// few scrapes of the usual 15 s interval in each.
	minAutoStep = time.Minute
)

// A fleetRun is what one analysis of a fleet read and found.
type fleetRun struct {
	api         *promAPI
	selector    string
	start, end  time.Time
	step        time.Duration
	instances   []*fleetInstance // in the order of their labels
	kinds       []*fleetKind
	profileNote string // why no profile could be read, "" when some were
	took        time.Duration
}

// runFleet reads the goroutine count of every instance a selector
// matches from a Prometheus-compatible API, judges each, and names the
// kinds of goroutine that grow on those that grow.
func runFleet(ctx context.Context, o *options, args []string) (int, error) {
	if len(args) < 1 || len(args) > 2 {
		return exitError, errors.New("want the URL of a Prometheus-compatible API and, optionally, a selector: leakcheck fleet http://prometheus:9090 'go_goroutines{job=\"api\"}'")
	}
	selector := "go_goroutines"
	if len(args) == 2 {
		selector = args[1]
	}
	if err := checkSelector(selector); err != nil {
		return exitError, err
	}
	api, err := newPromAPI(args[0], o.timeout, o.maxSize)
	if err != nil {
		return exitError, err
	}
	started := time.Now()
	fr := &fleetRun{api: api, selector: selector, step: o.step}
	if fr.step == 0 {
		fr.step = max(minAutoStep, (o.since / fleetPoints).Round(time.Second))
	}
	// Steps on multiples of the step, so that two runs read the same points.
	fr.end = started.Truncate(fr.step)
	fr.start = fr.end.Add(-o.since).Truncate(fr.step)
	if err := fr.read(ctx); err != nil {
		return exitError, err
	}
	fleetJudge{step: fr.step, grow: o.grow, growSamples: o.growSamples}.judge(fr.instances)

	grown := fr.grown()
	if len(grown) > 0 && o.profiles {
		if len(grown) > maxProfiled {
			grown = grown[:maxProfiled]
		}
		fr.profileNote = findPprof(ctx, o, api, grown)
		readKinds(ctx, o, grown)
		fr.kinds = addUpKinds(fr.instances)
	}
	fr.took = time.Since(started)
	if err := fr.output(o); err != nil {
		return exitError, err
	}
	if o.httpAddr != "" {
		if err := serveFleetWebUI(ctx, o, fr); err != nil {
			return exitError, err
		}
	}
	if len(fr.grown()) > 0 {
		return exitFound, nil
	}
	return exitOK, nil
}

// read reads the low point of each step of each series: the series'
// labels first, then their values in batches of instances and chunks of
// time, each series reduced as it arrives.
func (fr *fleetRun) read(ctx context.Context) error {
	labelSets, err := fr.api.series(ctx, fr.selector, fr.start, fr.end)
	if err != nil {
		return err
	}
	if len(labelSets) == 0 {
		return fmt.Errorf("the selector %s matches no series in Prometheus at %s between %s and %s: check the metric's name and labels (client_golang's default registry exports go_goroutines)",
			fr.selector, fr.api.base, fr.start.UTC().Format(time.RFC3339), fr.end.UTC().Format(time.RFC3339))
	}
	steps := int(fr.end.Sub(fr.start)/fr.step) + 1
	byKey := make(map[string]*fleetInstance)
	window := strconv.FormatInt(int64(fr.step/time.Second), 10) + "s"
	for _, sel := range batchSelectors(fr.selector, labelSets) {
		query := "min_over_time(" + sel + "[" + window + "])"
		err := fr.api.queryRange(ctx, query, fr.start, fr.end, fr.step, func(s *promSeries) error {
			key := labelString(s.Metric)
			in := byKey[key]
			if in == nil {
				if len(byKey) == maxFleetSeries {
					return fmt.Errorf("more than %d series: narrow the selector", maxFleetSeries)
				}
				in = newFleetInstance(s.Metric, key, steps)
				byKey[key] = in
			}
			for _, p := range s.Values {
				k := int(math.Round((p.T - float64(fr.start.UnixMilli())/1000) / fr.step.Seconds()))
				if k < 0 || k >= steps || math.IsInf(p.V, 0) {
					continue // not a step asked for: no data, not a trend
				}
				in.floors[k] = float32(p.V)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if len(byKey) == 0 {
		return fmt.Errorf("the selector %s matched series, but none has a value between %s and %s", fr.selector, fr.start.UTC().Format(time.RFC3339), fr.end.UTC().Format(time.RFC3339))
	}
	for _, in := range byKey {
		fr.instances = append(fr.instances, in)
	}
	slices.SortFunc(fr.instances, func(a, b *fleetInstance) int { return strings.Compare(a.key, b.key) })
	return nil
}

func newFleetInstance(labels map[string]string, key string, steps int) *fleetInstance {
	in := &fleetInstance{labels: labels, key: key, job: labels["job"], name: labels["instance"], floors: make([]float32, steps)}
	for i := range in.floors {
		in.floors[i] = float32(math.NaN())
	}
	if in.name == "" {
		in.name = key
	}
	return in
}

// labelString writes labels as Prometheus does: {a="1", b="2"}, sorted.
func labelString(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for n := range labels {
		if n != "__name__" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n + "=" + strconv.Quote(labels[n]))
	}
	b.WriteByte('}')
	return b.String()
}

// grown returns the instances that grow, the fastest first.
func (fr *fleetRun) grown() []*fleetInstance {
	var out []*fleetInstance
	for _, in := range fr.instances {
		if in.verdict != verdictOK {
			out = append(out, in)
		}
	}
	slices.SortStableFunc(out, func(a, b *fleetInstance) int {
		if d := rank(a.verdict) - rank(b.verdict); d != 0 {
			return d
		}
		return cmpFloat(b.perHour, a.perHour)
	})
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// A jobSummary is how many instances of one job grow.
type jobSummary struct {
	job           string
	instances     int
	grown         []*fleetInstance
	medianPerHour float64
}

// jobs ranks the jobs with instances that grow: the largest share of
// growing instances first (38 of 40 is a leak of the job's code; 1 of 40
// an instance's oddity), then the fastest.
func (fr *fleetRun) jobs() []*jobSummary {
	byJob := make(map[string]*jobSummary)
	var out []*jobSummary
	for _, in := range fr.instances {
		js := byJob[in.job]
		if js == nil {
			js = &jobSummary{job: in.job}
			byJob[in.job] = js
			out = append(out, js)
		}
		js.instances++
		if in.verdict != verdictOK {
			js.grown = append(js.grown, in)
		}
	}
	out = slices.DeleteFunc(out, func(js *jobSummary) bool { return len(js.grown) == 0 })
	for _, js := range out {
		rates := make([]float64, len(js.grown))
		for i, in := range js.grown {
			rates[i] = in.perHour
		}
		js.medianPerHour = median(rates)
	}
	slices.SortStableFunc(out, func(a, b *jobSummary) int {
		fa := float64(len(a.grown)) / float64(a.instances)
		fb := float64(len(b.grown)) / float64(b.instances)
		if d := cmpFloat(fb, fa); d != 0 {
			return d
		}
		return cmpFloat(b.medianPerHour, a.medianPerHour)
	})
	return out
}

// unseen returns the instances that could not be judged.
func (fr *fleetRun) unseen() []*fleetInstance {
	var out []*fleetInstance
	for _, in := range fr.instances {
		if in.unseen != "" {
			out = append(out, in)
		}
	}
	return out
}
