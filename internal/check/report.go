package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/leakcheck/leakcheck/internal/measure"
	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// maxUnknownShow bounds the goroutines listed in the "not counted" note.
const maxUnknownShow = 5

// formatReport renders a failing verdict for a person reading CI output.
// subject names what was checked: a test's name for Verify, "the tests
// of PKG" for VerifyTestMain, "the program" for Find. mem is what the
// leaks hold, or nil when not measured.
func formatReport(subject string, v verdict, mem *measure.Report) string {
	var b strings.Builder
	r := owner.NewResolver(v.snap, scopeName)
	groups := report.GroupByKind(v.leaks)
	fmt.Fprintf(&b, "leakcheck: %s leaked %s", subject, report.Plural(len(v.leaks), "goroutine"))
	if len(groups) > 1 {
		fmt.Fprintf(&b, " (%d kinds)", len(groups))
	}
	b.WriteString(mem.Header())
	b.WriteString("\n")
	for _, gr := range groups {
		if line := mem.KindLine(gr.Fingerprint); line != "" {
			gr.Notes = append(gr.Notes, line)
		}
	}
	// The wait the status gives is the note's: the one that ran out,
	// when one did, rather than the few more milliseconds the last look
	// took.
	shown := v.waited
	if v.limit > 0 && v.extendedTo == 0 {
		shown = v.limit
	}
	report.WriteGroups(&b, groups,
		func(gr *report.Group) string { return report.ProofStatus(gr, shown) },
		r.TestLabel)
	if len(v.unknown) > 0 {
		writeUnknown(&b, v.unknown)
	}
	b.WriteString(singletonNote(v.singletons))
	b.WriteString(mem.Note())
	b.WriteString(waitNote(v, groups))
	b.WriteString("\nFix: make every goroutine the test starts return before the test ends (close or drain channels," +
		" cancel contexts, stop tickers, close response bodies, wait for workers).")
	b.WriteString(ignoreSuggestion(groups, v.leaks))
	b.WriteString("\n")
	return b.String()
}

// maxIgnoreOptions bounds the options an ignore suggestion lists: past
// that many kinds, accepting them all is no longer a choice to make from
// one report.
const maxIgnoreOptions = 5

// ignoreSuggestion suggests the options that accept the leaks on purpose:
// for each kind, the narrowest that ignores it (report.IgnoreOption: its
// own function rather than its creator, which may start other kinds of
// goroutine later), checked to ignore every one of leaks together. It
// returns "" when that takes more than maxIgnoreOptions options, or when
// they would not cover every leak.
func ignoreSuggestion(groups []*report.Group, leaks []*stack.Goroutine) string {
	var texts []string
	cfg := &Config{}
	for _, gr := range groups {
		option, function := report.IgnoreOption(gr.First())
		text := fmt.Sprintf("leakcheck.%s(%q)", option, function)
		if slices.Contains(texts, text) {
			continue
		}
		if len(texts) == maxIgnoreOptions || function == "" {
			return ""
		}
		texts = append(texts, text)
		if match := FunctionRule(option, function); match != nil {
			cfg.Ignores = append(cfg.Ignores, match)
		}
	}
	for _, g := range leaks {
		if !cfg.Ignored(g) {
			return ""
		}
	}
	if len(texts) == 1 {
		return fmt.Sprintf(" To accept them on purpose, use the option %s.", texts[0])
	}
	return fmt.Sprintf(" To accept them on purpose, use the options %s (together they ignore the %d kinds above, each by its own function).",
		strings.Join(texts, ", "), len(groups))
}

// writeUnknown renders the note on goroutines a check could not attribute.
func writeUnknown(b *strings.Builder, gs []*stack.Goroutine) {
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
// goroutines it waited, why that long, and what would end such a wait
// sooner or change it; "" when it did not.
func waitNote(v verdict, groups []*report.Group) string {
	if v.limit == 0 {
		return ""
	}
	var unproven []*stack.Goroutine
	for _, gr := range groups {
		if !gr.AllProven() {
			unproven = append(unproven, gr.First())
		}
	}
	if len(unproven) == 0 {
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
	fmt.Fprintf(&b, "%s the runtime could not prove leaked, %s.", report.Plural(len(unproven), "kind"), describeStates(unproven))
	switch {
	case v.sleeping && runtimeread.LeakProfile == nil:
		b.WriteString(" It waited MaxWaitSleeping rather than MaxWait because every goroutine left might still wind down on its own," +
			" and this runtime cannot prove leaks: to it, a select that nothing can ever wake looks like one waiting for a timer." +
			" On go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile, the runtime proves such a goroutine leaked and the check fails at once.")
	case runtimeread.LeakProfile == nil:
		b.WriteString(" This runtime cannot prove leaks (go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile, can), so every leak costs the whole wait.")
	}
	b.WriteString(waitAdvice(v, unproven))
	b.WriteString("\n")
	return b.String()
}

// describeStates says what the goroutines gs, one of each kind left, were
// doing when the wait ran out: running, asleep, waiting where a timer may
// wake them, or blocked otherwise.
func describeStates(gs []*stack.Goroutine) string {
	var running, yielding, asleep, timers, blocked int
	for _, g := range gs {
		switch {
		case stack.Progressing(g) && g.TopFunction() == "runtime.Gosched":
			yielding++
		case stack.Progressing(g):
			running++
		case g.State == "sleep":
			asleep++
		case mayWindDown(g, true):
			timers++
		default:
			blocked++
		}
	}
	var parts []string
	if yielding > 0 {
		parts = append(parts, "running: yielding in runtime.Gosched and running again, a loop that never blocks and keeps a CPU busy")
	}
	if running > 0 {
		parts = append(parts, "running (burning a CPU, or just woken)")
	}
	if asleep > 0 {
		parts = append(parts, "asleep in time.Sleep")
	}
	if timers > 0 {
		parts = append(parts, "waiting where a timer may wake them (a select, a timer's channel)")
	}
	if blocked > 0 {
		parts = append(parts, "in I/O, or on a channel or lock that a live goroutine or a global reaches")
	}
	return strings.Join(parts, "; ")
}

// waitAdvice says which option changes a wait that ran out, and only
// where a longer wait can help: goroutines still asleep or selecting
// after MaxWaitSleeping are loops on a ticker or a sleep, and a loop that
// never blocks never ends, however long the check waits.
func waitAdvice(v verdict, unproven []*stack.Goroutine) string {
	spinning, windDown := false, true
	for _, g := range unproven {
		spinning = spinning || stack.Progressing(g) && g.TopFunction() == "runtime.Gosched"
		windDown = windDown && mayWindDown(g, true)
	}
	switch {
	case spinning:
		return " No wait ends a loop that never blocks: make it return when the test ends (check a context or a closed channel in the loop)."
	case v.sleeping:
		return fmt.Sprintf(" Still there after %v of sleeping or selecting, they are most likely loops on a ticker or a sleep that never end,"+
			" which no longer wait helps: stop them before the test ends (stop the ticker, cancel the context, close the channel they select on)."+
			" Change the wait with leakcheck.MaxWaitSleeping.", report.RoundWait(v.limit))
	case windDown && v.extendedTo == 0:
		return fmt.Sprintf(" A loop on a ticker never ends, however long the check waits: stop it before the test ends."+
			" Only goroutines that wind down on a timer longer than %v need more time: leakcheck.MaxWaitSleeping gives it to them, alone"+
			" (leakcheck.MaxWait or LEAKCHECK_MAX_WAIT change the wait for all).", report.RoundWait(v.limit))
	default:
		return " Change the wait with leakcheck.MaxWait or LEAKCHECK_MAX_WAIT."
	}
}

// unnamedNote says, for the package check, which leaks no test could be
// named for, and what would name them; "" when every leak has its test.
func unnamedNote(v verdict) string {
	r := owner.NewResolver(v.snap, scopeName)
	var byTimer, byExited int
	for _, g := range v.leaks {
		if r.TestName(g) != "" {
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
func hasAncestry(s *runtimeread.Snapshot) bool {
	if s == nil {
		return false
	}
	for i := range s.Goroutines {
		if len(s.Goroutines[i].Ancestors) > 0 {
			return true
		}
	}
	return false
}
