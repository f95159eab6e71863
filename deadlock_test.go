package leakcheck_test

import (
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// canProve reports whether this toolchain has the goroutine leak profile;
// the test binaries that go test builds for testdata share it.
func canProve() bool { return pprof.Lookup("goroutineleak") != nil }

// Each deadlock ends its test binary with the report, seconds after it
// forms, and go test -json shows that test failing, not a timeout.
func TestDeadlockEndsTheTest(t *testing.T) {
	if !canProve() {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	cases := []struct {
		test, failing, state, where string
	}{
		{"TestMutexLockedTwice", "TestMutexLockedTwice", "sync.Mutex.Lock", `deadlock.\(\*store\).Add at `},
		{"TestTinyMutexLockedTwice", "TestTinyMutexLockedTwice", "sync.Mutex.Lock", `deadlock.TestTinyMutexLockedTwice at `},
		{"TestRWMutexUpgrade", "TestRWMutexUpgrade", "sync.RWMutex.Lock", `deadlock.TestRWMutexUpgrade at `},
		{"TestWaitForStuckWorker", "TestWaitForStuckWorker", "chan receive", `deadlock.TestWaitForStuckWorker at `},
		{"TestWaitGroupOneShort", "TestWaitGroupOneShort", "sync.WaitGroup.Wait", `deadlock.TestWaitGroupOneShort at `},
		{"TestCondNeverSignalled", "TestCondNeverSignalled", "sync.Cond.Wait", `deadlock.TestCondNeverSignalled at `},
		{"TestLocksInOppositeOrder", "TestLocksInOppositeOrder", "sync.Mutex.Lock", `deadlock.TestLocksInOppositeOrder at `},
		{"TestParallelSubtests", "TestParallelSubtests", "chan receive", `deadlock.TestParallelSubtests.func1 at `},
	}
	for _, c := range cases {
		t.Run(c.test, func(t *testing.T) {
			t.Parallel()
			run := runGoTest(t, "deadlock", []string{"E2E_DEADLOCK=" + c.test}, "-timeout=120s", "-run=^"+c.test+"$")
			assert.Equal(t, 1, run.exitCode, run.raw)
			require.Equal(t, []string{"fail"}, run.results[c.failing], run.raw)
			out := run.output[c.failing]
			assert.NotContains(t, run.raw, "test timed out")
			assert.Regexp(t, `leakcheck: .*`+c.failing+`.* deadlocked: its goroutine is blocked forever in state "`+regexp.QuoteMeta(c.state)+`", proven by the runtime`, out)
			assert.Contains(t, out, "proven leaked by the runtime (nothing can ever wake it)")
			assert.Regexp(t, `(blocked in|called from): github.com/leakcheck/leakcheck/testdata/e2e/`+c.where, out)
			// What the goroutines hold, measured in a rerun that ends after
			// this binary; or why not: a subtest that did not call Verify.
			if c.test == "TestParallelSubtests" {
				assert.Contains(t, out, "Memory held by the leaked goroutines: not measured: the runtime has proven goroutines of this process leaked,")
				assert.Contains(t, out, "a rerun in a new process could measure it, but only of a test that calls leakcheck.Verify, and this one does not.")
			} else {
				assert.Contains(t, out, "Memory held by the leaked goroutines: measured in a rerun of "+c.failing+" in a new process")
				assert.Regexp(t, `leakcheck: memory held by the leaks of `+c.failing+`, measured in a heap dump of a rerun of `+c.failing+
					` in a new process: [0-9.]+ (B|KiB|MiB)\n\s+"`+regexp.QuoteMeta(c.state)+`" in \S+ \[[0-9a-f]{16}\]: holds `, out)
			}
			if m := regexp.MustCompile(`--- FAIL: ` + c.failing + ` \(([0-9.]+)s\)`).FindStringSubmatch(out); assert.NotNil(t, m, out) {
				s, _ := strconv.ParseFloat(m[1], 64)
				t.Logf("failed %.2fs after Verify", s)
			}
		})
	}
}

// A leak whose only wake-up is a tiny-allocated mutex is proven by one
// check with no time to wait, although the runtime's first proof misses
// it about one time in two (see testdata/e2e/tinyproof).
func TestProofSeesTinyAllocatedMutex(t *testing.T) {
	if !canProve() {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	run := runGoTest(t, "tinyproof", []string{"LEAKCHECK_MEMORY=off"}, "-cpu=1,2,4")
	run.requireOutcomes(t, 3, map[string]string{"TestTinyMutexProvenByOneCheck": "pass"})
	assert.Equal(t, 0, run.exitCode, run.raw)
}

// The worker a test waits for is reported with it.
func TestDeadlockReportsTheTestsGoroutines(t *testing.T) {
	if !canProve() {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	run := runGoTest(t, "deadlock", []string{"E2E_DEADLOCK=TestLocksInOppositeOrder"}, "-timeout=120s", "-run=^TestLocksInOppositeOrder$")
	out := run.output["TestLocksInOppositeOrder"]
	assert.Contains(t, out, "[1/2] 1 goroutine in state \"sync.Mutex.Lock\"")
	assert.Regexp(t, `\[2/2\] 1 goroutine in state "sync.Mutex.Lock": (proven leaked|still there)`, out)
	assert.Contains(t, out, "started by: github.com/leakcheck/leakcheck/testdata/e2e/deadlock.TestLocksInOppositeOrder at ")
}

// Tests that block for two seconds, longer than the watcher waits before
// it asks the runtime for a proof, and then go on, pass: a slow sender, a
// timer, a mutex held by a sleeping goroutine, a loopback accept, a chain
// of hand-offs, a WaitGroup of sleepers.
func TestNoDeadlockWhileTestsProgress(t *testing.T) {
	run := runGoTest(t, "deadlock", nil, "-timeout=120s", "-run=^TestProgress")
	run.requireOutcomes(t, 1, map[string]string{
		"TestProgressSlowSender":         "pass",
		"TestProgressTimer":              "pass",
		"TestProgressMutexHeldBySleeper": "pass",
		"TestProgressLoopbackAccept":     "pass",
		"TestProgressHandOffs":           "pass",
		"TestProgressWaitGroup":          "pass",
	})
	assert.Equal(t, 0, run.exitCode, run.raw)
	assert.NotContains(t, run.raw, "deadlocked")
}

// LEAKCHECK_DEADLOCK=off turns the watcher off: the deadlocked test then
// hangs until -timeout, as it would without leakcheck.
func TestDeadlockWatcherOff(t *testing.T) {
	if !canProve() {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	run := runGoTest(t, "deadlock", []string{"E2E_DEADLOCK=TestWaitGroupOneShort", "LEAKCHECK_DEADLOCK=off"}, "-timeout=4s", "-run=^TestWaitGroupOneShort$")
	assert.NotEqual(t, 0, run.exitCode)
	assert.Contains(t, run.raw, "test timed out after 4s")
	assert.NotContains(t, run.raw, "deadlocked")
}

// A deadlock writes the outputs a failing check writes: the JSON lines
// and the pprof profile of the test's goroutines.
func TestDeadlockWritesOutputs(t *testing.T) {
	if !canProve() {
		t.Skip("the runtime cannot prove leaks: go1.27, or go1.26 with GOEXPERIMENT=goroutineleakprofile")
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "leaks.jsonl")
	run := runGoTest(t, "deadlock", []string{"E2E_DEADLOCK=TestWaitForStuckWorker", "LEAKCHECK_JSON=" + jsonPath,
		"LEAKCHECK_PROFILE_DIR=" + dir}, "-timeout=120s", "-run=^TestWaitForStuckWorker$")
	out := run.output["TestWaitForStuckWorker"]
	assert.Contains(t, out, "Goroutine profile of the leak: "+dir)
	records := readJSONLines(t, jsonPath)
	require.Len(t, records, 2, "the test goroutine, and the worker it waits for")
	for _, r := range records {
		assert.Equal(t, "TestWaitForStuckWorker", r.Test)
		assert.True(t, r.Proven, "%+v", r)
	}
	profiles, err := filepath.Glob(filepath.Join(dir, "*.pb.gz"))
	require.NoError(t, err)
	assert.Len(t, profiles, 1)
}
