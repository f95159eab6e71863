package leakcheck

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/leakcheck/leakcheck/internal/report"
)

// maxUnknownShow bounds the goroutines listed in the "not counted" note.
const maxUnknownShow = 5

// formatReport renders a failing verdict for a person reading CI output.
// subject names what was checked: a test's name for Verify, "the tests
// of PKG" for VerifyTestMain, "the program" for Find.
func formatReport(subject string, v verdict) string {
	var b strings.Builder
	r := newResolver(v.snap)
	groups := report.GroupByKind(v.leaks)
	fmt.Fprintf(&b, "leakcheck: %s leaked %s", subject, report.Plural(len(v.leaks), "goroutine"))
	if len(groups) > 1 {
		fmt.Fprintf(&b, " (%d kinds)", len(groups))
	}
	if v.snap != nil && v.snap.live > 0 {
		// The runtime does not say how big each stack is, only the total.
		fmt.Fprintf(&b, "; goroutine stacks in use: %s for all %s", report.FormatBytes(stackInUse()), report.Plural(v.snap.live, "goroutine"))
	}
	b.WriteString("\n")
	report.WriteGroups(&b, groups,
		func(gr *report.Group) string { return report.ProofStatus(gr, v.waited) },
		r.testName)
	if len(v.unknown) > 0 {
		writeUnknown(&b, v.unknown)
	}
	fmt.Fprintf(&b, "\nFix: make every goroutine the test starts return before the test ends (close or drain channels,"+
		" cancel contexts, stop tickers, close response bodies, wait for workers)."+
		" To accept a goroutine on purpose, use an option such as %s.\n", report.IgnoreHint(groups[0].First()))
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

// formatUnknown renders the unknown-ownership note on its own, for a
// passing check.
func formatUnknown(gs []*Goroutine) string {
	var b strings.Builder
	writeUnknown(&b, gs)
	return "leakcheck: " + strings.TrimPrefix(b.String(), "\n")
}

// stackInUse returns the bytes of goroutine stacks in use. It stops the
// world briefly, so only the failure path calls it.
func stackInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.StackInuse
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
