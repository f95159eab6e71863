// Package leakcheck is a stub of the real package's API for the
// analyzer's tests.
package leakcheck

import (
	"testing"
	"time"
)

const DefaultMaxWait = 5 * time.Second

type Option interface{ apply() }

type TestingM interface{ Run() int }

type Goroutine struct{}

func Verify(t testing.TB, opts ...Option) {}

func VerifyTestMain(m TestingM, opts ...Option) {}

func Find(opts ...Option) error { return nil }

func IgnoreTopFunction(name string) Option { return nil }

func IgnoreAnyFunction(name string) Option { return nil }

func IgnoreCreatedBy(name string) Option { return nil }

func IgnoreIf(match func(g *Goroutine) bool) Option { return nil }

func IgnoreCurrent() Option { return nil }

func MaxWait(d time.Duration) Option { return nil }

func CheckOnFailure() Option { return nil }
