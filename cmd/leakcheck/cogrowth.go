package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Kinds that grow together. A request that hangs often leaves several
// goroutines of different kinds (the server's connection, the handler,
// the client's read and write loops to the upstream): between two
// snapshots they grow in step, by about the same number. Judged one by
// one, each raises the noise bar of the others, since the bar comes
// from how the other kinds moved; judged together, with the bar set by
// the kinds that did not grow with them, they are one cause.

// A cause is a set of kinds of a diff that grew in step.
type cause struct {
	n       int       // its number in the report, from 1
	members []*judged // largest growth first
	before  int       // the members' counts added up
	after   int
}

// causes finds the kinds of a diff (judged, with before and after set)
// that grew in step: each grew by at least -grow, by an amount within
// the noise of the largest growth of its set, and none is a leak. It
// judges each set of two or more as one kind, against the dispersion of
// the kinds outside every set, and marks its members suspects when it
// grew beyond that noise; it returns the sets.
func causes(o *options, js []*judged) []*cause {
	var candidates []*judged
	for _, j := range js {
		if j.after-j.before >= o.grow && j.verdict != verdictLeak && provable(j.group) {
			candidates = append(candidates, j)
		}
	}
	slices.SortStableFunc(candidates, func(a, b *judged) int { return (b.after - b.before) - (a.after - a.before) })
	var sets []*cause
	inSet := make(map[*judged]bool)
	for i, first := range candidates {
		if inSet[first] {
			continue
		}
		c := &cause{members: []*judged{first}}
		for _, j := range candidates[i+1:] {
			if !inSet[j] && inStep(first, j) {
				c.members = append(c.members, j)
			}
		}
		if len(c.members) < 2 {
			continue
		}
		for _, m := range c.members {
			inSet[m] = true
			c.before += m.before
			c.after += m.after
		}
		sets = append(sets, c)
	}
	if len(sets) == 0 {
		return nil
	}
	// The noise of the kinds that grew with no other.
	var outside [][2]int
	for _, j := range js {
		if !inSet[j] {
			outside = append(outside, [2]int{j.before, j.after})
		}
	}
	outside = append(outside, [2]int{0, 0}) // the set itself, left out by dispersions
	dispersion := dispersions(outside)[len(outside)-1]
	var found []*cause
	for _, c := range sets {
		if !beyondNoise(c.before, c.after, dispersion) {
			continue
		}
		c.n = len(found) + 1
		found = append(found, c)
		growths := make([]string, len(c.members))
		for i, m := range c.members {
			growths[i] = fmt.Sprintf("%+d", m.after-m.before)
		}
		for _, m := range c.members {
			m.verdict = verdictSuspect
			m.cause = c.n
			m.reason = fmt.Sprintf("cause %d: grew from %d to %d in step with %s (%s: together %d to %d, more than the other kinds' counts moved; threshold -grow=%d each, and %d×√(%.1f×(before+after)) together): one cause, such as requests that each leave one goroutine of every kind",
				c.n, m.before, m.after, kindsOther(len(c.members)-1), strings.Join(growths, ", "), c.before, c.after, o.grow, noiseSigmas, dispersion)
		}
	}
	return found
}

// inStep reports whether b's growth is within the noise of a's: the
// difference of two growths of kinds that move together by the same
// number, give or take Poisson noise on each of the four counts (and
// never one growth more than twice the other).
func inStep(a, b *judged) bool {
	ga, gb := a.after-a.before, b.after-b.before
	return 2*min(ga, gb) >= max(ga, gb) &&
		math.Abs(float64(ga-gb)) <= noiseSigmas*math.Sqrt(float64(a.before+a.after+b.before+b.after))
}

// kindsOther says "1 other kind" or "3 other kinds".
func kindsOther(n int) string {
	if n == 1 {
		return "1 other kind"
	}
	return fmt.Sprintf("%d other kinds", n)
}

// oneBlockPerCause returns the flagged kinds of a diff with each cause
// shown as one: its first member (the largest growth) stands for it,
// with a note naming the others, which the report then leaves out of its
// details (their rows of the table remain).
func oneBlockPerCause(flagged []*judged) []*judged {
	var out []*judged
	first := make(map[int]*judged)
	for _, j := range flagged {
		if j.cause == 0 {
			out = append(out, j)
			continue
		}
		head := first[j.cause]
		if head == nil {
			// A copy of the group, so that the note is the report's only.
			c := *j
			g := *j.group
			g.Notes = append(slices.Clip(g.Notes), fmt.Sprintf("cause %d, with it:", j.cause))
			c.group = &g
			first[j.cause] = &c
			out = append(out, &c)
			continue
		}
		head.group.Notes = append(head.group.Notes, fmt.Sprintf("  %+d (%d to %d) %s: %s", j.after-j.before, j.before, j.after, j.group.First().State, where(j.group.First())))
	}
	return out
}
