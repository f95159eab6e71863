package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/leakcheck/leakcheck/cmd/leakcheck/internal/htmlreport"
	"github.com/leakcheck/leakcheck/cmd/leakcheck/internal/webui"
	"github.com/leakcheck/leakcheck/internal/report"
)

// writeFleetHTML writes a fleet run as one self-contained page: a chart
// per instance (its low point per step, a mark at each restart and
// level shift, each life's trend), the kinds with their stacks, links to
// the profiles read.
func writeFleetHTML(path string, fr *fleetRun) error {
	r := htmlreport.Report{
		Title:     "leakcheck fleet: " + fr.selector,
		Generated: fr.end.Add(fr.took),
		Summary:   []string{fr.header()},
	}
	for _, w := range fr.api.warnings {
		r.Summary = append(r.Summary, "Prometheus warned (the data may be partial): "+w)
	}
	for _, js := range fr.jobs() {
		r.Summary = append(r.Summary, fmt.Sprintf("job %s: %d of %d instances grow, %+.0f/h (median)", js.job, len(js.grown), js.instances, js.medianPerHour))
	}
	if fr.profileNote != "" {
		r.Summary = append(r.Summary, "What grows could not be named: "+fr.profileNote)
	}
	for _, in := range append(fr.grown(), fr.okInstances()...) {
		s := htmlreport.Series{Name: in.job + " " + in.name, Verdict: in.verdict, Note: in.note, Step: fr.step}
		for i, f := range in.floors {
			if !math.IsNaN(float64(f)) {
				s.Points = append(s.Points, htmlreport.Point{T: fr.at(i), V: float64(f)})
			}
		}
		for k, l := range in.lives {
			if k > 0 {
				s.Marks = append(s.Marks, htmlreport.Mark{T: fr.at(l.from), Label: "restart"})
			}
			for _, sh := range l.shifts {
				s.Marks = append(s.Marks, htmlreport.Mark{T: fr.at(sh), Label: "deploy"}) // a level shift, as a deploy makes
			}
			if l.judged && l.grows {
				s.Trends = append(s.Trends, htmlreport.Line{
					From: htmlreport.Point{T: fr.at(l.from), V: l.lineFrom},
					To:   htmlreport.Point{T: fr.at(l.to), V: l.lineTo},
				})
			}
		}
		if in.pprof != "" {
			r.Links = append(r.Links, htmlreport.Link{Text: in.job + " " + in.name + " goroutines", URL: in.pprof + "goroutine?debug=1"})
		}
		r.Series = append(r.Series, s)
	}
	for _, fk := range fr.kinds {
		k := htmlreport.Kind{Verdict: fk.verdict, Title: fk.title(), Summary: fk.summary(), Stack: stackText(fk.group.First())}
		if o := fk.origin(); o != "" {
			k.Title += " (" + o + ")"
		}
		for i, u := range fk.pprofURLs {
			k.Links = append(k.Links, htmlreport.Link{Text: fk.on[i].name, URL: u + "goroutine?debug=1"})
		}
		r.Kinds = append(r.Kinds, k)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-html: %v", err)
	}
	w := bufio.NewWriter(f)
	err = htmlreport.Write(w, r)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("-html %s: %v", path, err)
	}
	return nil
}

// okInstances returns the instances judged ok, in label order.
func (fr *fleetRun) okInstances() []*fleetInstance {
	var out []*fleetInstance
	for _, in := range fr.instances {
		if in.verdict == verdictOK {
			out = append(out, in)
		}
	}
	return out
}

// serveFleetWebUI serves pprof's web UI (-http) over the goroutines read
// from the growing instances: each kind of each instance a sample,
// labelled with its job, instance and verdict (leak when proven, suspect
// when it explains the instance's growth, else ok).
func serveFleetWebUI(ctx context.Context, o *options, fr *fleetRun) error {
	var pgs []report.ProfileGroup
	for _, in := range fr.instances {
		named := make(map[string]string)
		for _, k := range in.kinds {
			named[k.group.Fingerprint] = verdictSuspect
			if k.proven {
				named[k.group.Fingerprint] = verdictLeak
			}
		}
		for _, gr := range in.read {
			v := named[gr.Fingerprint]
			if v == "" {
				v = verdictOK
			}
			pgs = append(pgs, report.ProfileGroup{
				Labels:     map[string]string{"job": in.job, "instance": in.name, "fingerprint": gr.Fingerprint, "verdict": v},
				Goroutines: gr.Goroutines[:1],
				Weights:    []int{gr.Size()},
			})
		}
	}
	if len(pgs) == 0 {
		return fmt.Errorf("-http: no goroutines were read (no instance grows, or none could be profiled): nothing to show")
	}
	p := report.BuildProfile(pgs, "leakcheck fleet "+fr.selector, time.Now())
	return webui.Serve(ctx, o.httpAddr, p, func(url string) {
		fmt.Fprintf(o.stderr, "leakcheck fleet: pprof's web UI on %s over the growing instances' goroutines (flame graph: %sflamegraph); ^C stops it\n", url, url)
	})
}
