// Package goleak stands in for go.uber.org/goleak v1.3.0 when the module
// cache does not have it: it has the same API, enough to type-check the
// fixture before the translation, and checks nothing.
package goleak

// Option is an option of a check.
type Option interface{ apply() }

// TestingT is the part of testing.TB that VerifyNone uses.
type TestingT interface{ Error(...any) }

// TestingM is the part of testing.M that VerifyTestMain uses.
type TestingM interface{ Run() int }

// VerifyNone checks nothing.
func VerifyNone(t TestingT, options ...Option) {}

// VerifyTestMain runs the tests.
func VerifyTestMain(m TestingM, options ...Option) { m.Run() }

// Find finds nothing.
func Find(options ...Option) error { return nil }

// IgnoreTopFunction returns an option that does nothing.
func IgnoreTopFunction(f string) Option { return nil }

// IgnoreAnyFunction returns an option that does nothing.
func IgnoreAnyFunction(f string) Option { return nil }

// IgnoreCurrent returns an option that does nothing.
func IgnoreCurrent() Option { return nil }

// Cleanup returns an option that does nothing.
func Cleanup(cleanupFunc func(exitCode int)) Option { return nil }
