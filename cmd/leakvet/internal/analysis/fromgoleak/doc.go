// Package fromgoleak defines an Analyzer that translates uses of
// go.uber.org/goleak into leakcheck.
//
// # Analyzer fromgoleak
//
// fromgoleak: translate go.uber.org/goleak checks and options into leakcheck, with the same meaning
//
// The analyzer reports every use of goleak with a suggested fix that
// replaces it by its leakcheck counterpart, so that
//
//	leakvet -fromgoleak -fix ./... && go mod tidy
//
// turns a goleak user into a leakcheck user. Because its fixes rewrite
// code rather than repair bugs, leakvet runs it only when it is named
// with -fromgoleak; a plain leakvet run, or one that names other
// analyzers, leaves it out.
//
// The translation:
//
//	goleak                                  leakcheck
//	defer goleak.VerifyNone(t, opts...)     leakcheck.Verify(t, opts...) as the test's first statement
//	t.Cleanup(func() { goleak.VerifyNone(t) })  leakcheck.Verify(t) as the test's first statement
//	goleak.VerifyNone(t, opts...)           if err := leakcheck.Find(opts..., wait); err != nil { t.Error(err) }
//	goleak.VerifyTestMain(m, opts...)       leakcheck.VerifyTestMain(m, opts...)
//	goleak.VerifyTestMain(m, Cleanup(f))    code := m.Run(), a leakcheck.Find if code is 0, f(code), os.Exit(code)
//	goleak.Find(opts...)                    leakcheck.Find(opts..., wait)
//	goleak.IgnoreTopFunction(f)             leakcheck.IgnoreTopFunction(f)
//	goleak.IgnoreAnyFunction(f)             leakcheck.IgnoreAnyFunction(f)
//	goleak.IgnoreCreatedBy(f)               leakcheck.IgnoreCreatedBy(f)
//	goleak.IgnoreCurrent()                  leakcheck.IgnoreCurrent()
//	goleak.RunOnFailure()                   leakcheck.CheckOnFailure()
//	goleak.MaxRetryAttempts(n),             leakcheck.MaxWait(d), d the total of goleak's sleeps rounded
//	goleak.MaxSleepInterval(d)              up to a second, if longer than 5s; else nothing
//	goleak.Option, goleak.TestingM          leakcheck.Option, leakcheck.TestingM
//
// where wait is leakcheck.MaxWait(432 * time.Millisecond), goleak's
// default wait rounded up: code that retries a check (in an Eventually
// loop) relies on it returning soon. It is not added after a spread list
// (opts...) or to options with goleak's retry limits, and the message
// then says that leakcheck waits as long as its MaxWait.
//
// Checks. A deferred goleak.VerifyNone at the top level of a test (a
// Test, Benchmark or Fuzz function, or a function literal given to
// t.Run, b.Run or f.Fuzz), given the test's own t, becomes
// leakcheck.Verify as the test's first statement: the check then runs
// after the test's Cleanup functions and counts only the goroutines the
// test started, so parallel tests pass. Its options must then be
// computable there: made of constants, goleak's options and names
// declared before the test's body, and without IgnoreCurrent, which
// records the goroutines alive when it runs, unless the defer comes first
// anyway. Otherwise it stays "defer leakcheck.Verify(t, opts...)", which
// checks when the test function returns, as goleak did. Every other
// VerifyNone (not deferred, in a helper, in a nested block, in a
// t.Cleanup function, or a second one in a test) keeps its moment and its
// meaning, a check of all goroutines that fails t, and becomes
// leakcheck.Find with t.Error, deferred through a function literal that
// takes the options as arguments when the VerifyNone was deferred, so
// that they are still computed at the defer. The exception is a
// t.Cleanup at the top level of a test whose function is nothing but
// goleak.VerifyNone(t, opts...) with the test's t: it becomes
// leakcheck.Verify(t, opts...) as the test's first statement, like a
// deferred check. A check moved to the first statement keeps its
// arguments as written, comments and line breaks included, and the
// comment at the end of its line. A VerifyNone that is the first
// statement of a test is translated as it was and gets a diagnostic of
// its own: it checks only what earlier tests left.
//
// goleak.VerifyTestMain with goleak.Cleanup(f) runs f with the exit code
// instead of exiting; leakcheck.VerifyTestMain always exits. The call,
// which must be the last statement of its function, becomes m.Run,
// leakcheck.Find when the tests passed (always, with RunOnFailure), the
// report on standard error and exit code 1 for leaks, f(code), and
// os.Exit(code). goleak let TestMain return when f did not exit, and the
// test binary then exited with the status of m.Run, ignoring leaks; the
// translation exits with code, so leaks fail the run. Options computed by
// calls (IgnoreCurrent among them) are put in a variable before m.Run,
// where goleak computed them.
//
// Waits. goleak retries up to 20 times, sleeping 1µs·2^i before retry i
// and at most 100ms (v1.3.0's limit; newer versions sleep less), about
// 0.43s in all; the translation adds up these sleeps with goleak's own
// arithmetic, leaving out the time goleak spends reading stacks.
// Constant MaxRetryAttempts and MaxSleepInterval that allow up to 5s,
// leakcheck's default wait, are dropped and a comment says so; longer
// ones become leakcheck.MaxWait of their total. Where an option cannot be
// dropped (assigned to a variable, returned), it becomes
// leakcheck.MaxWait(leakcheck.DefaultMaxWait).
//
// Imports: goleak's import goes, leakcheck's takes its place, and fmt,
// os and time come when the new code needs them. Imports used only by
// dropped options go.
//
// Doc comments that name goleak's Option or TestingM change with the
// code: "returns a goleak.Option" becomes "returns a leakcheck.Option".
//
// What is not translated. A package with any of these gets a diagnostic
// for each, saying what to do by hand, and no fix at all, so that goleak
// and leakcheck types never meet; each of its other goleak checks gets
// one too, saying it is left until then, so that every check left is
// listed and counted; after the hand edit, run again:
//
//   - a goleak function or type with no counterpart (TestingT, or any
//     function added to goleak later), or one used as a value;
//   - a dot import of goleak;
//   - MaxRetryAttempts or MaxSleepInterval with an argument that is not
//     constant, or in a list of options that is not all of a check's (a
//     variable, a helper's result) while another such list has one too:
//     a check may combine them, and its wait depends on all;
//   - Cleanup anywhere but among the arguments of VerifyTestMain, or
//     with a VerifyTestMain that is not last in its function;
//   - RunOnFailure given to VerifyNone or Find, which goleak rejects;
//   - an ignore option with an empty name or a name with blanks, which
//     ignores nothing in goleak and which leakcheck rejects;
//   - a VerifyNone in a go statement;
//   - a function or variable of another package whose type involves
//     goleak's, unless that package is translated in the same run;
//   - new code that needs a name (leakcheck, fmt, os, time) that means
//     something else where it goes;
//   - goleak types in the exported API of a package other modules can
//     import (not main, not internal; test files aside): function and
//     method signatures, exported struct fields, interface methods,
//     variables. -fromgoleak.exported translates them too;
//   - a generated file ("// Code generated ... DO NOT EDIT.") that uses
//     goleak: drivers do not edit generated files, and the generator
//     would write goleak again;
//   - a file of the package that uses goleak but that the build leaves
//     out (build tags, file name): the diagnostic names its //go:build
//     line; run again with -tags.
//
// Strings that hold goleak's error text ("on top of the stack", "found
// unexpected goroutines", "[Goroutine ") get a diagnostic without a fix:
// leakcheck's report reads differently, so code that parses it must be
// checked by hand. They do not keep the package from being translated.
package fromgoleak
