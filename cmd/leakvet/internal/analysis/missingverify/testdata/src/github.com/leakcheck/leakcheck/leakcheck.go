// Package leakcheck is a stub of the real package's API for the
// analyzer's tests.
package leakcheck

import "testing"

type Option interface{ option() }

type TestingM interface{ Run() int }

func Verify(t testing.TB, opts ...Option) {}

func VerifyTestMain(m TestingM, opts ...Option) {}
