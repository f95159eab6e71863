// Package goleak is a stub of go.uber.org/goleak for the analyzer's tests.
package goleak

type TestingT interface{ Error(...any) }

type TestingM interface{ Run() int }

func VerifyNone(t TestingT) {}

func VerifyTestMain(m TestingM) {}
