package leakcheck

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Bounds that keep a report readable however many goroutines leak: ten
// thousand goroutines leaked by one bug make one group with one stack.
const (
	maxGroups      = 10 // groups shown in full
	maxStackLines  = 60 // lines of the representative stack
	maxUnknownShow = 5  // goroutines listed in the "unknown ownership" note
)

// A group is a set of leaked goroutines with one fingerprint.
type group struct {
	goroutines []*Goroutine
	proven     int
}

// groupLeaks groups goroutines by fingerprint, largest group first, ties
// in order of first appearance.
func groupLeaks(gs []*Goroutine) []*group {
	byPrint := make(map[string]*group)
	var groups []*group
	for _, g := range gs {
		fp := g.fingerprint()
		gr := byPrint[fp]
		if gr == nil {
			gr = &group{}
			byPrint[fp] = gr
			groups = append(groups, gr)
		}
		gr.goroutines = append(gr.goroutines, g)
		if g.Leaked {
			gr.proven++
		}
	}
	// Stable insertion sort by size: groups are few.
	for i := 1; i < len(groups); i++ {
		for j := i; j > 0 && len(groups[j].goroutines) > len(groups[j-1].goroutines); j-- {
			groups[j], groups[j-1] = groups[j-1], groups[j]
		}
	}
	return groups
}

// formatReport renders a verdict for a person reading CI output. subject
// names what was checked, e.g. "TestServer" or "package tests".
func formatReport(subject string, v verdict, maxWait time.Duration) string {
	var b strings.Builder
	r := newResolver(v.snap)
	groups := groupLeaks(v.leaks)
	fmt.Fprintf(&b, "leakcheck: %s leaked %s", subject, plural(len(v.leaks), "goroutine"))
	if len(groups) > 1 {
		fmt.Fprintf(&b, " (%d kinds)", len(groups))
	}
	if v.snap != nil && v.snap.live > 0 {
		// The runtime does not say how big each stack is, only the total.
		fmt.Fprintf(&b, "; goroutine stacks in use: %s for all %s", formatBytes(stackInUse()), plural(v.snap.live, "goroutine"))
	}
	b.WriteString("\n")

	for i, gr := range groups {
		if i == maxGroups {
			rest := 0
			for _, g := range groups[i:] {
				rest += len(g.goroutines)
			}
			fmt.Fprintf(&b, "\n... and %d more kinds (%s) not shown\n", len(groups)-i, plural(rest, "goroutine"))
			break
		}
		writeGroup(&b, r, i+1, len(groups), gr, v.waited, maxWait)
	}
	if len(v.unknown) > 0 {
		writeUnknown(&b, v.unknown)
	}
	fmt.Fprintf(&b, "\nFix: make every goroutine the test starts return before the test ends (close or drain channels,"+
		" cancel contexts, stop tickers, close response bodies, wait for workers)."+
		" To accept a goroutine on purpose, use an option such as %s.\n", ignoreHint(groups[0].goroutines[0]))
	return b.String()
}

// ignoreHint suggests the narrowest option that ignores g: its top
// function when that is the program's own, else the program's innermost
// function on the stack, else its creator. Suggesting a standard library
// function such as sync.runtime_SemacquireMutex would ignore far too much.
func ignoreHint(g *Goroutine) string {
	if len(g.Frames) > 0 && !isStandardLibrary(g.Frames[0]) {
		return fmt.Sprintf("leakcheck.IgnoreTopFunction(%q)", g.Frames[0].Function)
	}
	for _, f := range g.Frames {
		if !isStandardLibrary(f) && f.File != "" {
			return fmt.Sprintf("leakcheck.IgnoreAnyFunction(%q)", f.Function)
		}
	}
	return fmt.Sprintf("leakcheck.IgnoreCreatedBy(%q)", g.CreatedBy.Function)
}

func writeGroup(b *strings.Builder, r *resolver, n, total int, gr *group, waited, maxWait time.Duration) {
	g := gr.goroutines[0]
	fmt.Fprintf(b, "\n[%d/%d] %s in state %q", n, total, plural(len(gr.goroutines), "goroutine"), g.State)
	if g.Wait > 0 {
		fmt.Fprintf(b, " for %v", g.Wait)
	}
	switch {
	case gr.proven == 1 && len(gr.goroutines) == 1:
		b.WriteString(": proven leaked by the runtime (nothing can ever wake it)\n")
	case gr.proven == len(gr.goroutines):
		b.WriteString(": proven leaked by the runtime (nothing can ever wake them)\n")
	case gr.proven > 0:
		fmt.Fprintf(b, ": %d proven leaked by the runtime, the others still there after %v\n", gr.proven, roundWait(waited))
	default:
		fmt.Fprintf(b, ": still there after %v\n", roundWait(waited))
	}
	if len(g.Frames) > 0 {
		fmt.Fprintf(b, "    blocked in: %s\n", g.Frames[0])
		if isStandardLibrary(g.Frames[0]) {
			for _, f := range g.Frames[1:] {
				if !isStandardLibrary(f) {
					fmt.Fprintf(b, "    called from: %s\n", f)
					break
				}
			}
		}
	}
	if g.CreatedBy.Function != "" {
		fmt.Fprintf(b, "    started by: %s", g.CreatedBy)
		if name := r.testName(g); name != "" {
			fmt.Fprintf(b, " (test %s)", name)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "    stack of goroutine %d:\n", g.ID)
	lines := strings.Split(g.Stack, "\n")
	for i, line := range lines {
		if i == maxStackLines {
			fmt.Fprintf(b, "        ... %d more lines\n", len(lines)-i)
			break
		}
		b.WriteString("        ")
		b.WriteString(line)
		b.WriteString("\n")
	}
}

func writeUnknown(b *strings.Builder, gs []*Goroutine) {
	fmt.Fprintf(b, "\nNot counted: %s of unknown ownership, started after this test began by goroutines that have exited"+
		" (call Verify as the test's first line, or use VerifyTestMain, to attribute them):\n", plural(len(gs), "goroutine"))
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

// goroot is where the standard library's sources are, for telling its
// frames from the program's.
var goroot = filepath.ToSlash(runtime.GOROOT()) + "/src/"

func isStandardLibrary(f Frame) bool {
	return strings.HasPrefix(filepath.ToSlash(f.File), goroot)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func roundWait(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}
