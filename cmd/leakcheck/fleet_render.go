package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// maxFleetRows bounds the instances and kinds the text report lists one
// by one; -json and -html have them all.
const maxFleetRows = 30

// output writes the text report or the JSON document to standard
// output, and the HTML page to -html.
func (fr *fleetRun) output(o *options) error {
	if o.htmlFile != "" {
		if err := writeFleetHTML(o.htmlFile, fr); err != nil {
			return err
		}
	}
	if o.json {
		// One line: a JSON document, and a JSON line, for jq and for
		// the tools that read the other subcommands' lines.
		return json.NewEncoder(o.stdout).Encode(fr.document())
	}
	var b strings.Builder
	fr.text(&b)
	if o.htmlFile != "" {
		b.WriteString("HTML report written to " + o.htmlFile + "\n")
	}
	_, err := o.stdout.Write([]byte(b.String()))
	return err
}

func (fr *fleetRun) header() string {
	return fmt.Sprintf("leakcheck fleet: %s at %s: %s over %v to %s, at a %v step (%s, %v)",
		fr.selector, fr.api.base, report.Plural(len(fr.instances), "instance"), fr.end.Sub(fr.start),
		fr.end.UTC().Format("2006-01-02 15:04 MST"), fr.step, report.Plural(fr.api.requests, "request"), fr.took.Round(100*time.Millisecond))
}

func (fr *fleetRun) text(b *strings.Builder) {
	b.WriteString(fr.header() + "\n")
	for _, w := range fr.api.warnings {
		b.WriteString("    Prometheus warned (the data may be partial): " + w + "\n")
	}
	jobs := fr.jobs()
	if len(jobs) > 0 {
		b.WriteString("\nJobs with instances that grow, the largest share first:\n")
		for _, js := range jobs {
			fmt.Fprintf(b, "    %-20s %d of %d instances grow, %+.0f/h (median)\n", js.job, len(js.grown), js.instances, js.medianPerHour)
		}
		b.WriteString("\nInstances that grow, the fastest first:\n")
		for i, in := range fr.grown() {
			if i == maxFleetRows {
				fmt.Fprintf(b, "    ... and %d more (-json or -html lists them all)\n", len(fr.grown())-i)
				break
			}
			fmt.Fprintf(b, "    %-8s %-20s %-24s %s\n", in.verdict, in.job, in.name, in.note)
			if in.pprof != "" {
				fmt.Fprintf(b, "             %s\n", in.pprof)
			}
			if in.pprofErr != "" {
				fmt.Fprintf(b, "             goroutines not read: %s\n", in.pprofErr)
			}
		}
	}
	if fr.profileNote != "" {
		b.WriteString("\nWhat grows could not be named: " + fr.profileNote + "\n")
	}
	if len(fr.kinds) > 0 {
		b.WriteString("\nKinds of goroutine that grow, by job:\n")
		for i, fk := range fr.kinds {
			if i == maxFleetRows {
				fmt.Fprintf(b, "    ... and %d more kinds\n", len(fr.kinds)-i)
				break
			}
			title := fk.title()
			if o := fk.origin(); o != "" {
				title += " (" + o + ")"
			}
			fmt.Fprintf(b, "\n%d. %s: %s\n   %s\n", i+1, fk.verdict, title, fk.summary())
			for _, line := range strings.Split(strings.TrimRight(stackText(fk.group.First()), "\n"), "\n") {
				b.WriteString("      " + line + "\n")
			}
		}
	}
	if unseen := fr.unseen(); len(unseen) > 0 {
		fmt.Fprintf(b, "\nNot judged (%s): %s", report.Plural(len(unseen), "instance"), unseen[0].unseen)
		for i, in := range unseen {
			if i == 10 {
				fmt.Fprintf(b, " ... and %d more", len(unseen)-i)
				break
			}
			b.WriteString("; " + in.job + " " + in.name)
		}
		b.WriteString("\n")
	}
	grown := fr.grown()
	leaks := 0
	for _, in := range grown {
		if in.verdict == verdictLeak {
			leaks++
		}
	}
	switch {
	case len(grown) == 0:
		fmt.Fprintf(b, "\nNo instance grows: %d judged, none with a rise that noise, restarts, gaps or deploys do not explain.\n", len(fr.instances)-len(fr.unseen()))
	default:
		fmt.Fprintf(b, "\n%d of %d instances grow (%d proven leaking) in %s.\n", len(grown), len(fr.instances), leaks, report.Plural(len(jobs), "job"))
	}
}

// stackText writes a goroutine's frames as a dump does.
func stackText(g *stack.Goroutine) string {
	if g.Stack != "" {
		return g.Stack
	}
	var b strings.Builder
	for _, f := range g.Frames {
		fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Function, f.File, f.Line)
	}
	if g.CreatedBy.Function != "" {
		fmt.Fprintf(&b, "created by %s\n\t%s:%d\n", g.CreatedBy.Function, g.CreatedBy.File, g.CreatedBy.Line)
	}
	return b.String()
}

// The JSON document of a fleet run. Field names are stable: add, never
// rename or remove.
type (
	fleetDoc struct {
		Prometheus  string         `json:"prometheus"`
		Selector    string         `json:"selector"`
		Start       time.Time      `json:"start"`
		End         time.Time      `json:"end"`
		StepSeconds float64        `json:"step_seconds"`
		Requests    int            `json:"requests"`
		Warnings    []string       `json:"warnings"`
		ProfileNote string         `json:"profile_note,omitempty"`
		Jobs        []fleetJobDoc  `json:"jobs"`
		Instances   []fleetInstDoc `json:"instances"`
		Kinds       []fleetKindDoc `json:"kinds"`
	}
	fleetJobDoc struct {
		Job       string  `json:"job"`
		Instances int     `json:"instances"`
		Growing   int     `json:"growing"`
		PerHour   float64 `json:"per_hour"`
	}
	fleetInstDoc struct {
		Labels     map[string]string `json:"labels"`
		Job        string            `json:"job"`
		Instance   string            `json:"instance"`
		Verdict    string            `json:"verdict"`
		PerHour    float64           `json:"per_hour"`
		Note       string            `json:"note"`
		Unseen     string            `json:"unseen,omitempty"`
		Pprof      string            `json:"pprof,omitempty"`
		PprofError string            `json:"pprof_error,omitempty"`
		Lives      []fleetLifeDoc    `json:"lives"`
	}
	fleetLifeDoc struct {
		From    time.Time   `json:"from"`
		To      time.Time   `json:"to"`
		Judged  bool        `json:"judged"`
		Grows   bool        `json:"grows"`
		P       float64     `json:"p"`
		PerHour float64     `json:"per_hour"`
		Shifts  []time.Time `json:"level_shifts,omitempty"`
	}
	fleetKindDoc struct {
		report.Kind
		Job       string   `json:"job"`
		Verdict   string   `json:"verdict"`
		Title     string   `json:"title"`
		Summary   string   `json:"summary"`
		Evidence  string   `json:"evidence"`
		GrowsOn   []string `json:"grows_on"`
		ProvenOn  int      `json:"proven_on"`
		OfJob     int      `json:"of_job"`
		PerHour   float64  `json:"per_hour"`
		PprofURLs []string `json:"pprof_urls"`
	}
)

func (fr *fleetRun) at(step int) time.Time {
	return fr.start.Add(time.Duration(step) * fr.step).UTC()
}

func (fr *fleetRun) document() fleetDoc {
	d := fleetDoc{
		Prometheus: fr.api.base.String(), Selector: fr.selector, Start: fr.start.UTC(), End: fr.end.UTC(),
		StepSeconds: fr.step.Seconds(), Requests: fr.api.requests, Warnings: fr.api.warnings, ProfileNote: fr.profileNote,
		Jobs: []fleetJobDoc{}, Instances: []fleetInstDoc{}, Kinds: []fleetKindDoc{},
	}
	if d.Warnings == nil {
		d.Warnings = []string{}
	}
	for _, js := range fr.jobs() {
		d.Jobs = append(d.Jobs, fleetJobDoc{Job: js.job, Instances: js.instances, Growing: len(js.grown), PerHour: js.medianPerHour})
	}
	for _, in := range fr.instances {
		id := fleetInstDoc{Labels: in.labels, Job: in.job, Instance: in.name, Verdict: in.verdict, PerHour: in.perHour,
			Note: in.note, Unseen: in.unseen, Pprof: in.pprof, PprofError: in.pprofErr, Lives: []fleetLifeDoc{}}
		for _, l := range in.lives {
			ld := fleetLifeDoc{From: fr.at(l.from), To: fr.at(l.to), Judged: l.judged, Grows: l.grows, P: l.p, PerHour: l.perHour}
			for _, s := range l.shifts {
				ld.Shifts = append(ld.Shifts, fr.at(s))
			}
			id.Lives = append(id.Lives, ld)
		}
		d.Instances = append(d.Instances, id)
	}
	for _, fk := range fr.kinds {
		kd := fleetKindDoc{Kind: report.DescribeGroup(fk.group), Job: fk.job, Verdict: fk.verdict, Title: fk.title(), Summary: fk.summary(),
			Evidence: fk.evidence, ProvenOn: fk.provenOn, OfJob: fk.instances, PerHour: fk.perHour, PprofURLs: fk.pprofURLs}
		kd.Stack = stackText(fk.group.First())
		for _, in := range fk.on {
			kd.GrowsOn = append(kd.GrowsOn, in.name)
		}
		d.Kinds = append(d.Kinds, kd)
	}
	return d
}
