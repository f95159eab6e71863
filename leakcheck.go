// Package leakcheck makes goroutine leaks fail the test that caused them.
//
// Call [Verify] as the first line of a test:
//
//	func TestServer(t *testing.T) {
//		leakcheck.Verify(t)
//		...
//	}
//
// After the test and all its cleanups, every goroutine the test started,
// directly or through other goroutines, must have returned; otherwise the
// test fails with a report naming each leaked goroutine, where it is
// blocked, who started it and which test owns it. Tests running in
// parallel are told apart: a goroutine is only ever blamed on the test
// that started it.
//
// Or check a whole package from TestMain:
//
//	func TestMain(m *testing.M) {
//		leakcheck.VerifyTestMain(m)
//	}
//
// A check passes as soon as the goroutines are gone, waits up to
// [MaxWait] for slow shutdowns, and, where the runtime offers the goroutine leak
// profile (go1.27, or go1.26 built with GOEXPERIMENT=goroutineleakprofile),
// fails at once for goroutines the runtime proves can never be woken.
//
// [Find] runs the same check for custom harnesses.
//
// # Configuration
//
// Options ([Option]) say what to ignore, how long to wait and where to
// write machine-readable outputs. They apply in this order, later ones
// winning:
//
//   - the options given to [VerifyTestMain], which apply to every check
//     of the test binary, its own and every [Verify]: an ignore list
//     written once serves a thousand tests;
//   - the options of the call itself: ignore rules add to those above;
//     [MaxWait], [MaxWaitSleeping], [Baseline], [ProfileDir] and
//     [JSONFile] replace them;
//   - the environment, so that CI has the last word: [MaxWaitEnv]
//     replaces the default wait and raises any shorter [MaxWait];
//     [BaselineEnv], [ProfileDirEnv] and [JSONEnv] win over [Baseline],
//     [ProfileDir] and [JSONFile]; [BaselineUpdateEnv] records leaks in
//     the baseline instead of failing; [DeadlockEnv] turns the deadlock
//     watcher off.
//
// The human-readable report is meant for people and may change between
// releases; the JSON lines and profiles are the stable, machine-readable
// forms.
//
// CONTRIBUTING.md maps the source files to the concepts they hold.
package leakcheck

import (
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/leakcheck/leakcheck/internal/check"
)

// Verify fails t if goroutines started by the test are still running
// after it. Call it as the first line of the test: the check then runs
// last, after the test's other [testing.T.Cleanup] functions (an httptest.Server
// closed with t.Cleanup is fine), and it owns every goroutine the test
// starts at any depth, through an inherited pprof label, even when other
// tests run in parallel. Called as "defer leakcheck.Verify(t)", it checks
// when the test function returns, before the test's Cleanup functions,
// and owns the goroutines whose chain of creators leads to the test.
//
// Goroutines that existed before the call, and goroutines started by
// other tests, are never this test's leak. Verify waits up to [MaxWait] for
// goroutines to finish, returns as soon as they have, and fails at once
// for goroutines the runtime proves leaked. A passing check costs about
// one goroutine dump, which stops the world briefly, and nothing when no
// goroutine at all was started since Verify. Later calls for the same test
// do nothing. Invalid options fail the test, but the check still runs
// with the valid ones. A nil t, with nowhere to report, panics.
//
// In a benchmark, Verify(b) checks at the end of every round of the b.N
// ramp, after the timer has stopped; call it before b.Loop, or before
// b.ResetTimer, to keep its own cost out of the measurement. In a fuzz
// target, Verify(f) checks once, after all inputs, and Verify(t) in the
// fuzz function checks each input. Goroutines of a testing/synctest
// bubble are never reported: synctest.Test waits for them, or fails the
// test itself when they stay blocked.
func Verify(t testing.TB, opts ...Option) {
	if t == nil || isNilPointer(t) {
		panic("leakcheck: Verify called with a nil testing.TB; pass the test's t")
	}
	t.Helper()
	cfg := buildConfig(opts)
	onlyInTestMain(cfg, "Verify")
	for _, err := range cfg.Errs {
		t.Errorf("%v", err)
	}
	check.StartScope(t, cfg)
}

// TestingM is the part of [testing.M] that [VerifyTestMain] uses.
type TestingM interface {
	Run() int
}

// VerifyTestMain runs the tests and exits the process. If the tests pass
// but goroutines started since VerifyTestMain was called are still
// running when they finish, it prints a report to standard error and
// exits with status 1. When tests fail it keeps their exit status and by
// default reports no leaks on top; [CheckOnFailure] changes that.
//
// Call it from TestMain, in place of [testing.M.Run]; it runs once however many
// -count repetitions the tests make. To measure the memory of leaks the
// runtime has proven, a failing check may run tests again in a new
// process of the test binary, which runs TestMain again (see [MemoryEnv]).
func VerifyTestMain(m TestingM, opts ...Option) {
	os.Exit(runMain(m, os.Stderr, opts))
}

// runMain is VerifyTestMain without the exit.
func runMain(m TestingM, w io.Writer, opts []Option) int {
	cfg := newConfig(nil, opts)
	defer check.SetTestMainOptions(check.SetTestMainOptions(rules(opts)))
	return check.RunPackage(m, w, cfg)
}

// Find waits up to [MaxWait] for all goroutines but the caller's to finish,
// ignoring the testing package's own and those matched by opts, and
// returns a *[LeakError] describing those still running, or nil. It is the
// check of [VerifyTestMain] for custom harnesses; [IgnoreCurrent] makes it
// compare against an earlier moment.
func Find(opts ...Option) error {
	cfg := buildConfig(opts)
	onlyInTestMain(cfg, "Find")
	if err := cfg.Err(); err != nil {
		return err
	}
	leaks, report, err := check.Find(cfg)
	if err != nil || len(leaks) == 0 {
		return err
	}
	return &LeakError{Goroutines: leaks, report: report}
}

// A LeakError reports goroutines that outlived a check of [Find].
type LeakError struct {
	// Goroutines lists the leaked goroutines; treat them as read-only.
	Goroutines []*Goroutine
	report     string
}

// Error returns the human-readable report.
func (e *LeakError) Error() string { return e.report }

// isNilPointer reports a nil pointer in a non-nil interface, such as a
// *testing.T variable that was never set.
func isNilPointer(t testing.TB) bool {
	v := reflect.ValueOf(t)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
