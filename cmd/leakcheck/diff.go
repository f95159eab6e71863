package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// runDiff compares two sources kind by kind: each kind's count before and
// after, sorted by growth, with new and vanished kinds. A kind that grew
// by at least -grow goroutines, and by more than the counts of a steady
// kind vary, as the other kinds' moves tell ([beyondNoise],
// [dispersions]), is a suspect; one that grew by -grow is a leak when the
// runtime proved goroutines of it leaked. A kind without a stack is never
// a suspect. The exit status is 1 when one is.
func runDiff(ctx context.Context, o *options, args []string) (int, error) {
	if len(args) != 2 {
		return exitError, errors.New("want two sources: BEFORE AFTER")
	}
	before, err := load(ctx, o, args[0])
	if err != nil {
		return exitError, err
	}
	after, err := load(ctx, o, args[1])
	if err != nil {
		return exitError, err
	}
	js, coarse := diffGroups(o, before, after)
	err = output(o, after.name, js, true, fmt.Sprintf("leakcheck diff %s %s", before.name, after.name), func(b *strings.Builder) {
		fmt.Fprintf(b, "leakcheck diff: %s -> %s\n", report.Plural(before.total, "goroutine"), report.Plural(after.total, "goroutine"))
		snapshotHeader(b, before, "  before")
		snapshotHeader(b, after, "  after")
		if coarse {
			b.WriteString("    the sources differ in format: kinds are matched by their stacks without runtime frames, states and creators\n")
		}
		fmt.Fprintf(b, "\n%7s %7s %7s  %-8s %-20s %s\n", "before", "after", "change", "verdict", "state", "where")
		for _, line := range rows(js, diffRow) {
			b.WriteString(line + "\n")
		}
		var flagged []*judged
		for _, j := range js {
			if j.verdict != verdictOK {
				flagged = append(flagged, j)
			}
		}
		writeDetails(b, oneBlockPerCause(flagged), diffRow)
		b.WriteString(verdictLine(js, after.total, "goroutine"))
	})
	if err != nil {
		return exitError, err
	}
	return status(js), nil
}

// diffRow is one line of the diff table.
func diffRow(j *judged) string {
	g := j.group.First()
	mark := ""
	switch {
	case j.isNew:
		mark = " [new]"
	case j.gone:
		mark = " [gone]"
	}
	if j.cause > 0 {
		mark += fmt.Sprintf(" [cause %d]", j.cause)
	}
	line := fmt.Sprintf("%7d %7d %+7d  %-8s %-20s %s%s", j.before, j.after, j.after-j.before, j.verdict, clip(g.State, 20), where(g), mark)
	if j.test != "" {
		line += " (test " + j.test + ")"
	}
	return line
}

// diffGroups pairs the groups of two snapshots and judges each pair by
// its growth. When one source is a dump and the other a profile, or the
// formats otherwise differ, groups are paired by their frames alone
// (coarse is true): a profile has no creators, and a debug=1 profile no
// runtime frames to read states from.
func diffGroups(o *options, before, after *snapshot) (js []*judged, coarse bool) {
	coarse = before.format != after.format && !(before.perGoroutine && after.perGoroutine)
	key := func(gr *report.Group) string {
		if coarse {
			return coarseKey(gr.First())
		}
		return gr.Fingerprint
	}
	byKey := make(map[string]*judged)
	add := func(gr *report.Group, isAfter bool) {
		k := key(gr)
		j := byKey[k]
		if j == nil {
			j = &judged{group: gr}
			byKey[k] = j
			js = append(js, j)
		}
		if isAfter {
			if j.after == 0 {
				j.group = gr // describe the kind as it is now
			}
			j.after += gr.Size()
		} else {
			j.before += gr.Size()
		}
	}
	for _, gr := range before.groups {
		add(gr, false)
	}
	for _, gr := range after.groups {
		add(gr, true)
	}
	pairs := make([][2]int, len(js))
	for i, j := range js {
		pairs[i] = [2]int{j.before, j.after}
	}
	dispersion := dispersions(pairs)
	for i, j := range js {
		j.isNew = j.before == 0
		j.gone = j.after == 0
		if after.tests != nil {
			j.test = after.tests.testOf(j.group.First())
		}
		grew := j.after - j.before
		switch {
		case grew >= o.grow && proven(j.group) && !j.gone:
			j.verdict = verdictLeak
			j.reason = fmt.Sprintf("grew from %d to %d; %s", j.before, j.after, proofReason(j.group))
		case grew >= o.grow && provable(j.group) && beyondNoise(j.before, j.after, dispersion[i]):
			j.verdict = verdictSuspect
			j.reason = fmt.Sprintf("grew from %d to %d, more than the other kinds' counts moved between the two (threshold -grow=%d, and %d×√(%.1f×(before+after)))",
				j.before, j.after, o.grow, noiseSigmas, dispersion[i])
		default:
			j.verdict = verdictOK
		}
	}
	causes(o, js)
	slices.SortStableFunc(js, func(a, b *judged) int {
		if d := (b.after - b.before) - (a.after - a.before); d != 0 {
			return d
		}
		return b.after - a.after
	})
	return js, coarse
}

// coarseKey identifies a kind by the function names of its innermost
// frames outside the runtime package, which every format shows alike.
func coarseKey(g *stack.Goroutine) string {
	var b strings.Builder
	n := 0
	for _, f := range g.Frames {
		if strings.HasPrefix(f.Function, "runtime.") || strings.HasPrefix(f.Function, "internal/runtime/") {
			continue // shown in some formats and not in others
		}
		if n == 16 {
			break
		}
		b.WriteString(f.Function)
		b.WriteByte('|')
		n++
	}
	return b.String()
}
