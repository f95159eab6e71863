package main

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
)

// Naming what grows: fleet reads the goroutine profiles of the instances
// whose count grows, twice, -every apart, the second time with the
// runtime's leak profile where it is served (Go 1.27), and adds up kinds
// across the instances of a job.

const (
	// maxProfiled bounds the instances whose profiles one run reads: the
	// fastest growing ones. Twenty instances of a job already tell one
	// instance's oddity from the job's leak.
	maxProfiled = 20
	// profileReaders is how many instances are read at once.
	profileReaders = 8
)

// An instanceKind is one kind of goroutine in an instance's two reads.
type instanceKind struct {
	group         *report.Group // as read the second time
	before, after int
	proven        bool   // the runtime proved goroutines of it leaked
	evidence      string // evidenceGrew, evidenceHolds or evidenceProven
}

// What names a kind on an instance, strongest first.
const (
	// It grew between the two reads, beyond the noise of two counts.
	evidenceGrew = "grew"
	// No kind grew so; it is the largest, and holds at least half of
	// what the instance gained in its current life.
	evidenceHolds = "holds"
	// The runtime proved it leaked, but it does not explain the growth
	// (a pool, or main parked in select{}, leaked once).
	evidenceProven = "proven"
)

// explains reports whether evidence says a kind is what grows.
func explains(evidence string) bool { return evidence == evidenceGrew || evidence == evidenceHolds }

// A fleetKind is one kind of goroutine added up across the instances of
// a job whose count grows.
type fleetKind struct {
	job       string
	group     *report.Group
	verdict   string
	instances int              // of the job, in the fleet
	profiled  int              // of the job, whose profiles were read
	on        []*fleetInstance // the instances it was named on
	provenOn  int
	perHour   float64 // the median growth of the instances it grows on
	evidence  string  // the strongest evidence on any instance
	pprofURLs []string
}

// pprofTemplate fills a -pprof-url template: each {label} is the
// instance's value of that label.
var templateLabel = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

func pprofFromTemplate(tmpl string, labels map[string]string) (string, error) {
	var missing string
	out := templateLabel.ReplaceAllStringFunc(tmpl, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := labels[name]
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	if missing != "" {
		return "", fmt.Errorf("-pprof-url %s: the series has no label %q", tmpl, missing)
	}
	return out, nil
}

// pprofFromTarget returns the /debug/pprof/ URL on the host and scheme
// Prometheus scrapes an instance at.
func pprofFromTarget(scrape string) (string, error) {
	u, err := url.Parse(scrape)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("target scrape URL %q: not a URL", scrape)
	}
	return u.Scheme + "://" + u.Host + "/debug/pprof/", nil
}

// findPprof sets the pprof URL of each instance to profile: from the
// -pprof-url template, or from its scrape target's address. It returns
// why none could be found, or "".
func findPprof(ctx context.Context, o *options, api *promAPI, grown []*fleetInstance) string {
	if o.pprofURL != "" {
		for _, in := range grown {
			u, err := pprofFromTemplate(o.pprofURL, in.labels)
			if err != nil {
				in.pprofErr = err.Error()
				continue
			}
			in.pprof = u
		}
		return ""
	}
	targets, err := api.targets(ctx)
	if err != nil {
		return fmt.Sprintf("the targets could not be read (%v): give -pprof-url", err)
	}
	if len(targets) == 0 {
		return "Prometheus lists no scrape targets (a querier or a backfilled store?): give -pprof-url, e.g. http://{instance}/debug/pprof/"
	}
	for _, in := range grown {
		in.pprofErr = "no scrape target has its job and instance labels"
		for _, t := range targets {
			if t.Labels["job"] == in.labels["job"] && t.Labels["instance"] == in.labels["instance"] {
				in.pprof, err = pprofFromTarget(t.ScrapeURL)
				in.pprofErr = ""
				if err != nil {
					in.pprofErr = err.Error()
				}
				break
			}
		}
	}
	return ""
}

// readKinds reads each instance's goroutines twice, -every apart, and
// keeps the kinds that explain its growth: those that grew between the
// reads past the noise of two counts; failing that, the largest kind,
// when it holds at least half of what the instance gained in its current
// life. Kinds the runtime proved leaked are kept too; the instance is a
// leak when a kind that explains its growth is proven.
func readKinds(ctx context.Context, o *options, grown []*fleetInstance) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, profileReaders)
	for _, in := range grown {
		if in.pprof == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := readInstanceKinds(ctx, o, in); err != nil {
				in.pprofErr = err.Error()
			}
		}()
	}
	wg.Wait()
}

func readInstanceKinds(ctx context.Context, o *options, in *fleetInstance) error {
	svc, err := newService(o, in.pprof)
	if err != nil {
		return err
	}
	first, err := svc.snapshot(ctx, sourceProfile, false)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(o.every):
	}
	second, err := svc.snapshot(ctx, sourceProfile, o.leakProfile)
	if err != nil {
		return err
	}
	before := make(map[string]int, len(first.groups))
	for _, gr := range first.groups {
		before[gr.Fingerprint] = gr.Size()
	}
	in.read = second.groups
	var largest *instanceKind
	var static []*instanceKind
	for _, gr := range second.groups {
		k := &instanceKind{group: gr, before: before[gr.Fingerprint], after: gr.Size(), proven: proven(gr)}
		if k.after > k.before && beyondNoise(k.before, k.after, 1) {
			k.evidence = evidenceGrew
			in.kinds = append(in.kinds, k)
			continue
		}
		if largest == nil || k.after > largest.after {
			largest = k
		}
		if k.proven {
			static = append(static, k)
		}
	}
	if len(in.kinds) == 0 && largest != nil {
		if gained := currentGain(in); gained >= float64(o.grow) && float64(largest.after) >= gained/2 {
			largest.evidence = evidenceHolds
			in.kinds = append(in.kinds, largest)
		}
	}
	for _, k := range static {
		if k.evidence == "" {
			k.evidence = evidenceProven
			in.kinds = append(in.kinds, k)
		}
	}
	// A leak when what grows is proven; a proven kind that does not grow
	// is listed, but the growth is still only suspected.
	if slices.ContainsFunc(in.kinds, func(k *instanceKind) bool { return k.proven && explains(k.evidence) }) {
		in.verdict = verdictLeak
	}
	return nil
}

// currentGain is how much the trend of an instance's last life gained.
func currentGain(in *fleetInstance) float64 {
	if len(in.lives) == 0 {
		return 0
	}
	return in.lives[len(in.lives)-1].gained
}

// evidenceRank orders evidence, strongest first.
func evidenceRank(e string) int {
	return map[string]int{evidenceGrew: 0, evidenceHolds: 1, evidenceProven: 2}[e]
}

// addUpKinds adds up the kinds of the profiled instances by job and
// kind, most instances first.
func addUpKinds(fleet []*fleetInstance) []*fleetKind {
	perJob := make(map[string]int)
	profiled := make(map[string]int)
	for _, in := range fleet {
		perJob[in.job]++
		if len(in.kinds) > 0 || in.pprof != "" && in.pprofErr == "" {
			profiled[in.job]++
		}
	}
	byKey := make(map[string]*fleetKind)
	var out []*fleetKind
	rates := make(map[*fleetKind][]float64)
	for _, in := range fleet {
		for _, k := range in.kinds {
			key := in.job + "\x00" + k.group.Fingerprint
			fk := byKey[key]
			if fk == nil {
				fk = &fleetKind{job: in.job, group: k.group, verdict: verdictSuspect, instances: perJob[in.job], profiled: profiled[in.job], evidence: k.evidence}
				byKey[key] = fk
				out = append(out, fk)
			}
			fk.on = append(fk.on, in)
			fk.pprofURLs = append(fk.pprofURLs, in.pprof)
			if k.proven {
				fk.provenOn++
				fk.verdict = verdictLeak
			}
			if evidenceRank(k.evidence) < evidenceRank(fk.evidence) {
				fk.evidence = k.evidence
			}
			rates[fk] = append(rates[fk], in.perHour)
		}
	}
	for fk, rs := range rates {
		fk.perHour = median(rs)
	}
	slices.SortStableFunc(out, func(a, b *fleetKind) int {
		if d := evidenceRank(a.evidence)/2 - evidenceRank(b.evidence)/2; d != 0 {
			return d // what grows first
		}
		if d := rank(a.verdict) - rank(b.verdict); d != 0 {
			return d
		}
		return len(b.on) - len(a.on)
	})
	return out
}

// title names a kind in a few words: "channel send in main.compute".
func (fk *fleetKind) title() string {
	g := fk.group.First()
	state := g.State
	if state == "" || state == "unknown" {
		return where(g)
	}
	return operation(state) + " in " + where(g)
}

// summary says where a kind grows: "grows on 17 of 20 instances of job
// api, +40/h each, proven leaked on 3".
func (fk *fleetKind) summary() string {
	var b strings.Builder
	switch fk.evidence {
	case evidenceProven:
		fmt.Fprintf(&b, "proven leaked on %d of %d instances of job %s, not seen growing between two reads", fk.provenOn, fk.instances, fk.job)
	default:
		// The instances grow (their counts in Prometheus say so) and this
		// kind grew or holds that growth: it grows, at their rate.
		fmt.Fprintf(&b, "grows on %d of %d instances of job %s, %+.0f/h each", len(fk.on), fk.instances, fk.job, fk.perHour)
		if fk.provenOn > 0 {
			fmt.Fprintf(&b, ", proven leaked on %d", fk.provenOn)
		}
	}
	if fk.profiled < fk.instances {
		fmt.Fprintf(&b, " (%d profiled)", fk.profiled)
	}
	return b.String()
}

// origin says how a kind's goroutines began: "started by F" when the
// source has creators (dumps), else "runs F" for the function the
// goroutine runs (profiles have no creators), or "" when that is the
// function the title names.
func (fk *fleetKind) origin() string {
	g := fk.group.First()
	if c := g.CreatedBy; c.Function != "" {
		return "started by " + c.Function
	}
	if entry := g.EntryFunction(); entry != "" && !strings.Contains(fk.title(), entry+" ") {
		return "runs " + entry
	}
	return ""
}
