// Package check is leakcheck's engine behind its API: a Verify's scope and
// its check, registered with t.Cleanup; the wait for the goroutines the
// check blames, judged against the baseline; the report; and what the
// leaks hold, measured in the process or in a rerun. It reads the runtime
// through internal/runtimeread, decides ownership with internal/owner,
// publishes with internal/publish, starts the deadlock watcher
// (internal/deadlock) and answers it, and keeps all that outlives a check
// in one value (process.go).
package check
