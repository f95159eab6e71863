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
