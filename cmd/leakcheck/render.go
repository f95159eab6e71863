package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"
	"github.com/leakcheck/leakcheck/internal/report"
)

// maxOKRows bounds the one-line rows of groups judged ok.
const maxOKRows = 30

// A record is one JSON line of -json output: the fields of the library's
// LEAKCHECK_JSON records that apply (count, fingerprint, state, proven,
// wait_seconds, top, created_by, stack, goroutine_ids, labels), the
// verdict and its reason, and what diff and watch add.
type record struct {
	report.Kind
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	Source  string `json:"source"`
	Test    string `json:"test,omitempty"`
	Before  *int   `json:"before,omitempty"`
	After   *int   `json:"after,omitempty"`
	Samples []int  `json:"samples,omitempty"`
}

// writeJSON prints one record per group.
func writeJSON(w io.Writer, source string, js []*judged, diff bool) error {
	records := make([]record, 0, len(js))
	for _, j := range js {
		r := record{Kind: report.DescribeGroup(j.group), Verdict: j.verdict, Reason: j.reason, Source: source, Test: j.test, Samples: j.samples}
		if diff {
			before, after := j.before, j.after
			r.Before, r.After = &before, &after
			r.Count = after
		}
		if j.samples != nil {
			r.Count = j.after // the last sample
		}
		records = append(records, r)
	}
	b, err := report.JSONLines(records)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// writePprof writes the groups as a goroutine profile (see
// groupsProfile).
func writePprof(path string, js []*judged, comment string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = groupsProfile(js, comment).Write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// groupsProfile renders the groups as a goroutine profile: one sample
// per group, the group's first stack with the group's count, labelled
// with fingerprint and verdict (and test, in "go test" output).
func groupsProfile(js []*judged, comment string) *profile.Profile {
	pgs := make([]report.ProfileGroup, 0, len(js))
	for _, j := range js {
		n := j.group.Size()
		if j.gone {
			continue
		}
		labels := map[string]string{"fingerprint": j.group.Fingerprint, "verdict": j.verdict}
		if j.test != "" {
			labels["test"] = j.test
		}
		pgs = append(pgs, report.ProfileGroup{Labels: labels, Goroutines: j.group.Goroutines[:1], Weights: []int{n}})
	}
	return report.BuildProfile(pgs, comment, time.Now())
}

// writeDetails renders the groups that are leaks or suspects in full, as
// the library's reports do, then one line for each other group.
func writeDetails(b *strings.Builder, js []*judged, what func(*judged) string) {
	var flagged, ok []*judged
	for _, j := range js {
		if j.verdict == verdictOK {
			ok = append(ok, j)
		} else {
			flagged = append(flagged, j)
		}
	}
	for i, j := range flagged {
		status := j.verdict
		if j.reason != "" {
			status += ": " + j.reason
		}
		report.WriteGroup(b, i+1, len(flagged), j.group, status, j.test)
		if id := idLine(j.group); id != "" {
			b.WriteString(id)
		}
		if l := labelLine(j.group.First().Labels); l != "" {
			b.WriteString(l)
		}
	}
	if len(ok) == 0 {
		return
	}
	if len(flagged) > 0 {
		b.WriteString("\nOther kinds, ok:\n")
	} else {
		b.WriteString("\nKinds of goroutine, all ok:\n")
	}
	lines := rows(ok, what)
	for i := range ok {
		if i == maxOKRows {
			rest := 0
			for _, j := range ok[i:] {
				rest += j.group.Size()
			}
			fmt.Fprintf(b, "    ... and %d more kinds (%s)\n", len(ok)-i, report.Plural(rest, "goroutine"))
			break
		}
		b.WriteString("    " + lines[i] + "\n")
	}
}

// rows renders one line per group with what, and tells apart the lines
// that read alike (kinds that differ deeper in their stacks, or only by
// their creator) by the kinds' fingerprints, as the JSON has them.
func rows(js []*judged, what func(*judged) string) []string {
	lines := make([]string, len(js))
	seen := make(map[string]int, len(js))
	for i, j := range js {
		lines[i] = what(j)
		seen[lines[i]]++
	}
	for i, j := range js {
		if seen[lines[i]] > 1 {
			lines[i] += "  [" + j.group.Fingerprint + "]"
		}
	}
	return lines
}

// idLine lists some IDs of a group's goroutines, to find them in a dump.
func idLine(gr *report.Group) string {
	if len(gr.IDs) < 2 {
		return ""
	}
	const show = 10
	var ids []string
	for i, id := range gr.IDs {
		if i == show {
			break
		}
		ids = append(ids, fmt.Sprint(id))
	}
	more := ""
	if gr.Size() > len(ids) {
		more = fmt.Sprintf(", ... (%d in all)", gr.Size())
	}
	return fmt.Sprintf("    goroutines: %s%s\n", strings.Join(ids, ", "), more)
}

// okRow is one line for a group in a snapshot.
func okRow(j *judged) string {
	g := j.group.First()
	line := fmt.Sprintf("%7d  %-20s %s", j.group.Size(), clip(g.State, 20), where(g))
	if j.test != "" {
		line += " (test " + j.test + ")"
	}
	return line
}

// clip cuts s to n bytes for a table column.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// snapshotHeader describes a snapshot in a few lines.
func snapshotHeader(b *strings.Builder, snap *snapshot, label string) {
	fmt.Fprintf(b, "%s: %s: %s in %s, from a %s read in %v\n",
		label, snap.name, report.Plural(snap.total, "goroutine"), report.Plural(len(snap.groups), "kind"), snap.format, report.RoundWait(snap.took))
	if snap.tests != nil {
		b.WriteString("    " + snap.tests.summary() + "\n")
	}
	if snap.crash != "" {
		b.WriteString("    " + snap.crash + "\n")
	}
	if snap.leakNote != "" {
		b.WriteString("    " + snap.leakNote + "\n")
	}
	if !snap.perGoroutine {
		b.WriteString("    a profile counts goroutines per stack: no IDs, wait times or creators\n")
	}
	if snap.partial != "" {
		b.WriteString("    PARTIAL: the dump is cut short (" + snap.partial + "): goroutines after the cut are missing\n")
	}
}

// verdictLine sums up the verdicts and says the exit status.
func verdictLine(js []*judged, total int, what string) string {
	leaks, suspects, n := 0, 0, 0
	for _, j := range js {
		switch j.verdict {
		case verdictLeak:
			leaks++
			n += j.group.Size()
		case verdictSuspect:
			suspects++
			n += j.group.Size()
		}
	}
	if leaks+suspects == 0 {
		return fmt.Sprintf("\nNo leak or suspect among %s (exit status 0).\n", report.Plural(total, what))
	}
	return fmt.Sprintf("\n%s, %s (%d of %s; exit status 1).\n",
		report.Plural(leaks, "leak"), report.Plural(suspects, "suspect"), n, report.Plural(total, what))
}

// labelLine shows a goroutine's pprof labels, sorted by key.
func labelLine(labels map[string]string) string {
	if len(labels) == 0 {
		return ""
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(labels[k])
	}
	return "    labels (of the first): " + strings.Join(parts, " ") + "\n"
}
