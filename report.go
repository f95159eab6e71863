package leakcheck

import (
	"fmt"
	"strings"

	"github.com/leakcheck/leakcheck/internal/report"
)

// maxUnknownShow bounds the goroutines listed in the "not counted" note.
const maxUnknownShow = 5

// formatReport renders a failing verdict for a person reading CI output.
// subject names what was checked: a test's name for Verify, "the tests
// of PKG" for VerifyTestMain, "the program" for Find. mem is what the
// leaks hold, or nil when not measured.
func formatReport(subject string, v verdict, mem *memoryReport) string {
	var b strings.Builder
	r := newResolver(v.snap)
	groups := report.GroupByKind(v.leaks)
	fmt.Fprintf(&b, "leakcheck: %s leaked %s", subject, report.Plural(len(v.leaks), "goroutine"))
	if len(groups) > 1 {
		fmt.Fprintf(&b, " (%d kinds)", len(groups))
	}
	b.WriteString(mem.header())
	b.WriteString("\n")
	for _, gr := range groups {
		if line := mem.kindLine(gr.Fingerprint); line != "" {
			gr.Notes = append(gr.Notes, line)
		}
	}
	report.WriteGroups(&b, groups,
		func(gr *report.Group) string { return report.ProofStatus(gr, v.waited) },
		r.testLabel)
	if len(v.unknown) > 0 {
		writeUnknown(&b, v.unknown)
	}
	b.WriteString(singletonNote(v.singletons))
	b.WriteString(mem.note())
	b.WriteString(waitNote(v, groups))
	fmt.Fprintf(&b, "\nFix: make every goroutine the test starts return before the test ends (close or drain channels,"+
		" cancel contexts, stop tickers, close response bodies, wait for workers)."+
		" To accept a goroutine on purpose, use an option such as %s.\n", hintFor(groups[0]))
	return b.String()
}

// writeUnknown renders the note on goroutines a check could not attribute.
func writeUnknown(b *strings.Builder, gs []*Goroutine) {
	fmt.Fprintf(b, "\nNot counted: %s of unknown ownership, started after this test began by goroutines that have exited"+
		" (call Verify as the test's first line, or use VerifyTestMain, to attribute them):\n", report.Plural(len(gs), "goroutine"))
	for i, g := range gs {
		if i == maxUnknownShow {
			fmt.Fprintf(b, "    ... and %d more\n", len(gs)-i)
			break
		}
		fmt.Fprintf(b, "    goroutine %d [%s] in %s, started by %s\n", g.ID, g.State, g.TopFunction(), g.CreatedBy)
	}
}

// formatNotes renders, for a passing check, the goroutines it did not
// count: of unknown ownership, or started once per process; "" when
// there are none.
func formatNotes(v verdict) string {
	var b strings.Builder
	if len(v.unknown) > 0 {
		writeUnknown(&b, v.unknown)
	}
	b.WriteString(singletonNote(v.singletons))
	if b.Len() == 0 {
		return ""
	}
	return "leakcheck: " + strings.TrimPrefix(b.String(), "\n")
}

// waitNote says, when a check waited its whole wait out, for which
// goroutines it waited and how to change that; "" when it did not.
func waitNote(v verdict, groups []*report.Group) string {
	if v.limit == 0 {
		return ""
	}
	unproven := 0
	for _, gr := range groups {
		if !gr.AllProven() {
			unproven++
		}
	}
	if unproven == 0 {
		return ""
	}
	option := "MaxWait"
	if v.sleeping {
		option = "MaxWaitSleeping"
	}
	var b strings.Builder
	if v.extendedTo > 0 {
		fmt.Fprintf(&b, "\nThis check waited %v for them: past its %v (MaxWait), as long as every goroutine left might still wind down"+
			" on its own (up to %v, MaxWaitSleeping), until it found one blocked otherwise: ",
			report.RoundWait(v.waited), report.RoundWait(v.limit), report.RoundWait(v.extendedTo))
	} else {
		fmt.Fprintf(&b, "\nThis check waited its %v (%s) for them: ", report.RoundWait(v.limit), option)
	}
	switch {
	case leakProfile == nil:
		b.WriteString("this runtime cannot prove leaks (go1.27 or GOEXPERIMENT=goroutineleakprofile can), so every leak costs the whole wait.")
	case v.sleeping:
		fmt.Fprintf(&b, "%s the runtime could not prove leaked, all asleep, running, or waiting where a timer may wake them.", report.Plural(unproven, "kind"))
	default:
		fmt.Fprintf(&b, "%s the runtime could not prove leaked (asleep, in I/O, or on a channel or lock that a live goroutine or a global reaches).", report.Plural(unproven, "kind"))
	}
	b.WriteString(" Change the wait with leakcheck.MaxWait or LEAKCHECK_MAX_WAIT; leakcheck.MaxWaitSleeping gives goroutines that wind down on timers longer, alone.\n")
	return b.String()
}

// unnamedNote says, for the package check, which leaks no test could be
// named for, and what would name them; "" when every leak has its test.
func unnamedNote(v verdict) string {
	r := newResolver(v.snap)
	var byTimer, byExited int
	for _, g := range v.leaks {
		if r.testName(g) != "" {
			continue
		}
		if g.ParentID == 0 {
			byTimer++ // no goroutine started it: a timer (time.AfterFunc) or the runtime did
		} else {
			byExited++
		}
	}
	var b strings.Builder
	if byExited > 0 {
		fmt.Fprintf(&b, "\nNo test named for %s: the goroutines that started them have exited.", report.Plural(byExited, "goroutine"))
		if !hasAncestry(v.snap) {
			b.WriteString(" To name the test, run the tests with GODEBUG=tracebackancestors=100 in the environment" +
				" (the runtime then records who started each goroutine; it reads the setting only at start-up)," +
				" or call leakcheck.Verify(t) first in each test.")
		} else {
			b.WriteString(" Their creators' recorded stacks show no test function; call leakcheck.Verify(t) first in each test to name it.")
		}
		b.WriteString("\n")
	}
	if byTimer > 0 {
		fmt.Fprintf(&b, "\nNo test named for %s: no goroutine started them (a timer of time.AfterFunc or the runtime did),"+
			" and they run no test function's code. Call leakcheck.Verify(t) first in each test to name it.\n", report.Plural(byTimer, "goroutine"))
	}
	return b.String()
}

// hasAncestry reports whether the dump records creators' stacks
// (GODEBUG=tracebackancestors=N): some goroutine with a creating
// goroutine shows them.
func hasAncestry(s *snapshot) bool {
	if s == nil {
		return false
	}
	for i := range s.goroutines {
		if len(s.goroutines[i].Ancestors) > 0 {
			return true
		}
	}
	return false
}
