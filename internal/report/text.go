package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// Bounds that keep a report readable however many goroutines it covers:
// ten thousand goroutines of one kind make one group with one stack.
const (
	maxGroups     = 10 // groups shown in full
	maxStackLines = 60 // lines of a group's representative stack
)

// WriteGroups renders groups, at most maxGroups of them in full, each as
// WriteGroup does with the status and test name the callbacks give.
func WriteGroups(b *strings.Builder, groups []*Group, status func(*Group) string, test func(*stack.Goroutine) string) {
	for i, gr := range groups {
		if i == maxGroups {
			rest := 0
			for _, gr := range groups[i:] {
				rest += gr.Size()
			}
			fmt.Fprintf(b, "\n... and %d more kinds (%s) not shown\n", len(groups)-i, Plural(rest, "goroutine"))
			return
		}
		WriteGroup(b, i+1, len(groups), gr, status(gr), test(gr.First()))
	}
}

// WriteGroup renders group n of total: how many goroutines, their state,
// status (how the report judges them), where the first one is blocked,
// the first frame of the program's own code, who started it and in
// which test (when test is not ""), and its stack.
func WriteGroup(b *strings.Builder, n, total int, gr *Group, status, test string) {
	g := gr.First()
	fmt.Fprintf(b, "\n[%d/%d] %s in state %q", n, total, Plural(gr.Size(), "goroutine"), g.State)
	if g.Wait > 0 {
		fmt.Fprintf(b, " for %v", g.Wait)
	}
	fmt.Fprintf(b, ": %s\n", status)
	if len(g.Frames) > 0 {
		where := "blocked in"
		if g.State == "running" || g.State == "runnable" {
			where = "running in" // a crash's goroutine, a busy loop
		}
		fmt.Fprintf(b, "    %s: %s\n", where, g.Frames[0])
		if f, ok := CalledFrom(g); ok {
			fmt.Fprintf(b, "    called from: %s\n", f)
		}
	}
	if g.CreatedBy.Function != "" {
		fmt.Fprintf(b, "    started by: %s", g.CreatedBy)
		if test != "" {
			fmt.Fprintf(b, " (test %s)", test)
		}
		b.WriteString("\n")
	}
	for _, note := range gr.Notes {
		fmt.Fprintf(b, "    %s\n", note)
	}
	if g.ID != 0 {
		fmt.Fprintf(b, "    stack of goroutine %d:\n", g.ID)
	} else {
		b.WriteString("    stack:\n") // from a profile, which has no IDs
	}
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

// CalledFrom returns, for a goroutine whose innermost frame is the
// standard library's (as [IsStandardLibrary] tells), the innermost frame of
// the program's own code: where "time.Sleep" or
// "internal/poll.runtime_pollWait" was called from. It reports false
// when the innermost frame is already the program's, or no frame is.
func CalledFrom(g *stack.Goroutine) (stack.Frame, bool) {
	if len(g.Frames) == 0 || !IsStandardLibrary(g.Frames[0]) {
		return stack.Frame{}, false
	}
	for _, f := range g.Frames[1:] {
		if !IsStandardLibrary(f) {
			return f, true
		}
	}
	return stack.Frame{}, false
}

// ProofStatus says how far the runtime proved a group leaked, for a group
// still there after waited.
func ProofStatus(gr *Group, waited time.Duration) string {
	switch {
	case gr.Proven == 1 && gr.Size() == 1:
		return "proven leaked by the runtime (nothing can ever wake it)"
	case gr.AllProven():
		return "proven leaked by the runtime (nothing can ever wake them)"
	case gr.Proven > 0:
		return fmt.Sprintf("%d proven leaked by the runtime, the others still there after %v", gr.Proven, RoundWait(waited))
	default:
		return fmt.Sprintf("still there after %v", RoundWait(waited))
	}
}

// IgnoreHint suggests the narrowest option that ignores g: its top
// function when that is the program's own, else the program's innermost
// function on the stack, else its creator. Suggesting a standard library
// function such as sync.runtime_SemacquireMutex would ignore far too much.
func IgnoreHint(g *stack.Goroutine) string {
	if len(g.Frames) > 0 && !IsStandardLibrary(g.Frames[0]) {
		return fmt.Sprintf("leakcheck.IgnoreTopFunction(%q)", g.Frames[0].Function)
	}
	for _, f := range g.Frames {
		if !IsStandardLibrary(f) && f.File != "" {
			return fmt.Sprintf("leakcheck.IgnoreAnyFunction(%q)", f.Function)
		}
	}
	return fmt.Sprintf("leakcheck.IgnoreCreatedBy(%q)", g.CreatedBy.Function)
}

// Plural renders a count of noun: "1 goroutine", "2 goroutines".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// RoundWait rounds a wait for display: tenths of a second from a second
// up, milliseconds from a millisecond, else microseconds.
func RoundWait(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// FormatBytes renders n as "12.0 KiB" style text.
func FormatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatUint(n, 10) + " B"
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("KMGTPE"[exp]) + "iB"
}
