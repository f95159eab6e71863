// Package goleak is a stub of go.uber.org/goleak for the analyzer's
// tests: the API of v1.3.0, the options of later sources, and one
// function leakcheck has no counterpart for.
package goleak

import "time"

type Option interface{ apply() }

type TestingT interface{ Error(...any) }

type TestingM interface{ Run() int }

func VerifyNone(t TestingT, options ...Option) {}

func VerifyTestMain(m TestingM, options ...Option) {}

func Find(options ...Option) error { return nil }

func IgnoreTopFunction(f string) Option { return nil }

func IgnoreAnyFunction(f string) Option { return nil }

func IgnoreCreatedBy(f string) Option { return nil }

func IgnoreCurrent() Option { return nil }

func Cleanup(cleanupFunc func(exitCode int)) Option { return nil }

func RunOnFailure() Option { return nil }

func MaxRetryAttempts(num int) Option { return nil }

func MaxSleepInterval(d time.Duration) Option { return nil }

func IgnoreAnyContainingPkg(pkg string) Option { return nil }
