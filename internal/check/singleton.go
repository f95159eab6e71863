package check

import (
	"fmt"
	"strings"

	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// isSingleton reports whether g was started once per process rather than
// by a test: its go statement ran under a sync.Once, or in a package
// initializer. The evidence is in the creators' stacks when each started
// its child, which the runtime records only under
// GODEBUG=tracebackancestors=N; without it, only a goroutine created
// directly by an initializer shows it. Such a goroutine is blamed on
// whichever test first touches the code, and on another test when
// -shuffle changes the order: no test could have stopped it.
func isSingleton(g *stack.Goroutine) bool {
	if isInitializer(g.CreatedBy.Function) {
		return true
	}
	for _, fn := range stack.AncestorFunctions(g) {
		if isInitializer(fn) || isOnce(fn) {
			return true
		}
	}
	return false
}

// isOnce reports whether fn runs a function once per process:
// sync.Once.Do and the functions of sync.OnceFunc, OnceValue and
// OnceValues.
func isOnce(fn string) bool {
	return strings.HasPrefix(fn, "sync.(*Once).") || strings.HasPrefix(fn, "sync.OnceFunc") ||
		strings.HasPrefix(fn, "sync.OnceValue")
}

// isInitializer reports whether fn is a package's init function or a
// closure inside one: "example.com/pkg.init", "pkg.init.0",
// "pkg.init.func1".
func isInitializer(fn string) bool {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		fn = fn[i+1:]
	}
	_, rest, ok := strings.Cut(fn, ".")
	return ok && (rest == "init" || strings.HasPrefix(rest, "init."))
}

// splitSingletons separates the goroutines started once per process.
func splitSingletons(gs []*stack.Goroutine) (others, singletons []*stack.Goroutine) {
	for _, g := range gs {
		if isSingleton(g) {
			singletons = append(singletons, g)
		} else {
			others = append(others, g)
		}
	}
	return others, singletons
}

// singletonNote says which goroutines a check did not count because they
// were started once per process, and how to ignore them for good.
func singletonNote(gs []*stack.Goroutine) string {
	if len(gs) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nNot counted: %s started once per process (under a sync.Once or by a package initializer),"+
		" a singleton rather than a test's leak:\n", report.Plural(len(gs), "goroutine"))
	for i, gr := range report.GroupByKind(gs) {
		if i == maxUnknownShow {
			fmt.Fprintf(&b, "    ... and more\n")
			break
		}
		g := gr.First()
		fmt.Fprintf(&b, "    %d in %s, started by %s; ignore for good with %s in VerifyTestMain's options\n",
			len(gr.Goroutines), g.TopFunction(), g.CreatedBy, hintFor(gr))
	}
	return b.String()
}

// hintFor suggests the option that ignores a group of goroutines: for a
// group the runtime did not prove leaked, which may be a process-wide
// goroutine, the function whose go statement started it, when that is a
// named function of the program (a stable name, unlike the innermost
// frame, which moves as the goroutine waits in different places);
// otherwise report.IgnoreHint's narrowest option.
func hintFor(gr *report.Group) string {
	g := gr.First()
	fn := g.CreatedBy.Function
	if gr.Proven == 0 && fn != "" && !report.IsStandardLibrary(g.CreatedBy) &&
		!strings.Contains(fn[strings.LastIndexByte(fn, '/')+1:], ".func") && owner.TestFunctionName(fn) == "" &&
		!strings.HasPrefix(fn, "testing.") {
		return fmt.Sprintf("leakcheck.IgnoreCreatedBy(%q)", fn)
	}
	return report.IgnoreHint(g)
}
