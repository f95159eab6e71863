package owner

import (
	"strings"

	"github.com/leakcheck/leakcheck/internal/stack"
)

// IgnoredByDefault reports goroutines no check ever reports.
func IgnoredByDefault(g *stack.Goroutine) bool {
	return IsTestingGoroutine(g) || isRuntimeService(g) || inBubble(g)
}

// IsTestingGoroutine reports goroutines of the testing package itself:
// the test runner, running and parked (parallel) tests, parents waiting
// in t.Run, benchmark and fuzz drivers. Every one of them was started by
// a go statement inside package testing, so its outermost frame is a
// testing function, and its creator too.
func IsTestingGoroutine(g *stack.Goroutine) bool {
	return strings.HasPrefix(g.EntryFunction(), "testing.") || isTestRunner(g) ||
		// A test goroutine caught while it exits shows only the
		// runtime's exit frames, but still its creator.
		strings.HasPrefix(g.CreatedBy.Function, "testing.")
}

// isTestRunner reports whether g is the test binary's main goroutine
// running the tests (testing.M.Run), which a check run from inside a
// test, such as Find, sees waiting for it in t.Run.
func isTestRunner(g *stack.Goroutine) bool {
	return g.EntryFunction() == "main.main" && g.HasFunction("testing.(*M).Run")
}

// isRuntimeService reports goroutines that the standard library starts on
// the program's behalf and keeps for the life of the process, whichever
// test happened to trigger them. Nothing broader: goroutines of, say,
// net/http transports are real leaks and stay reported.
func isRuntimeService(g *stack.Goroutine) bool {
	switch g.EntryFunction() {
	case "os/signal.loop", // started by the first signal.Notify
		"runtime.runfinq",     // finalizer goroutine, visible while it runs a finalizer
		"runtime.runCleanups", // runtime.AddCleanup goroutines, likewise
		"runtime/trace.Start.func1":
		return true
	}
	if e := g.EntryFunction(); e == WatcherFunction || e == RerunFunction { // leakcheck's own: see DeadlockEnv, MemoryEnv
		return true
	}
	switch g.CreatedBy.Function {
	case "runtime/trace.Start", "unique.registerCleanup":
		return true
	}
	return g.TopFunction() == "os/signal.signal_recv"
}

// inBubble reports goroutines of a testing/synctest bubble. Synctest owns
// them: synctest.Test returns only once every goroutine of its bubble has
// exited, and fails the test itself ("deadlock: main bubble goroutine has
// exited but blocked goroutines remain") when some are blocked for good.
// Reporting them too would report one leak twice, after waiting MaxWait
// for goroutines synctest is about to fail on anyway.
func inBubble(g *stack.Goroutine) bool {
	return stack.Bubble(g) != 0
}

// WatcherFunction is the function of the watcher's goroutine, as the
// goroutine dump shows it, for the checks to leave it alone.
const WatcherFunction = "github.com/leakcheck/leakcheck/internal/deadlock.(*Watcher).lookForDeadlocks"

// RerunFunction is followRerun as the goroutine dump shows it, for the
// checks to leave it alone.
const RerunFunction = "github.com/leakcheck/leakcheck/internal/check.followRerun"
