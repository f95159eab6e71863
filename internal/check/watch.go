package check

import (
	"github.com/leakcheck/leakcheck/internal/deadlock"
	"github.com/leakcheck/leakcheck/internal/measure"
)

// This file holds the check's side of the deadlock watcher
// (internal/deadlock): starting it, and answering what it asks.

// startDeadlockWatch starts the watcher once per process (see
// deadlock.Watcher.Start). It is called from goroutines outside any
// testing/synctest bubble: a goroutine started inside one would belong
// to the bubble.
func startDeadlockWatch() { process.watcher.Start(process.reader, watcherChecks{}) }

// watcherChecks answers the watcher from the process's checks.
type watcherChecks struct{}

// InRerun reports that this process is a rerun, where nothing must prove
// leaks.
func (watcherChecks) InRerun() bool { return process.measure.InRerun() }

// ScopeName names the test of the scope id.
func (watcherChecks) ScopeName(id uint64) string { return scopeName(id) }

// TestScope returns the scope id when goid is its test goroutine.
func (watcherChecks) TestScope(id, goid uint64) (deadlock.Scope, bool) {
	s := scopeByID(id)
	if s == nil || s.goid != goid {
		return deadlock.Scope{}, false
	}
	return deadlock.Scope{ID: s.id, Test: s.name, T: s.t, Started: s.started}, true
}

// Measure measures what the deadlocked goroutines hold, in a rerun of the
// test, as the process has proven them leaked: the rerun publishes the
// figures after this process has ended, as go test reads its output until
// the rerun is done. It writes the machine-readable outputs and returns
// the report's lines about the memory.
func (watcherChecks) Measure(d *deadlock.Deadlock) (string, string) {
	again := process.measure.RerunOfDeadlock(d.T, d.Test, d.Elapsed)
	v := verdict{leaks: d.Leaks, snap: d.Snap, waited: d.Waited}
	mem, pub := measureAndPublish(d.T, NewConfig(TestMainOptions(), nil), d.Test, v, again)
	if again == nil && mem.Skipped() != "" && mem.Skipped() != MemoryEnv+" is off" {
		return "\nMemory held by the leaked goroutines: not measured: " + measure.ProvenReason +
			"; a rerun in a new process could measure it, but only of a test that calls leakcheck.Verify, and this one does not.\n", pub.Text
	}
	return mem.Note(), pub.Text
}
