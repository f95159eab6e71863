package leakcheck_test

import (
	"strings"
	"testing"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
)

// Under t.Parallel, with tests shuffled and repeated, exactly the leaking
// tests fail, every time, each naming only its own goroutines.
func TestParallelOwnership(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, leakcheck.GoLabels, "owning goroutines whose creator exited (pprof labels in the dump)")
	const runs = 20
	run := runGoTest(t, "parallel", []string{"LEAKCHECK_MAX_WAIT=1s"},
		"-race", "-parallel=8", "-shuffle=on", "-count=20")
	want := map[string]string{
		"TestCleanShort":                     "pass",
		"TestCleanLong":                      "pass",
		"TestCleanContext":                   "pass",
		"TestCleanAsyncShutdown":             "pass",
		"TestCleanSubtests":                  "pass",
		"TestLeakSend":                       "fail",
		"TestLeakSelect":                     "fail",
		"TestLeakWaitGroup":                  "fail",
		"TestLeakMutex":                      "fail",
		"TestLeakNilChannel":                 "fail",
		"TestLeakAtDepth":                    "fail",
		"TestLeakLabelsReplaced":             "fail",
		"TestLeakSleepingLoop":               "fail",
		"TestLeakGlobalChannel":              "fail",
		"TestLeakInSubtests":                 "fail",
		"TestLeakInSubtests/CoveredByParent": "pass", // its leak fails the parent
		"TestLeakInSubtests/OwnCheck":        "fail",
		"TestLeakInSubtests/Clean":           "pass",
	}
	run.requireOutcomes(t, runs, want)

	states := map[string]string{
		"TestLeakSend":           "chan send",
		"TestLeakSelect":         "select",
		"TestLeakWaitGroup":      "sync.WaitGroup.Wait",
		"TestLeakMutex":          "sync.Mutex.Lock",
		"TestLeakNilChannel":     "chan receive (nil chan)",
		"TestLeakAtDepth":        "chan send",
		"TestLeakLabelsReplaced": "chan send",
		"TestLeakGlobalChannel":  "chan receive",
	}
	for name, state := range states {
		out := run.output[name]
		assert.Equal(t, runs, countReports(out, name, "1 goroutine"), "%s:\n%s", name, out)
		assert.Equal(t, runs, strings.Count(out, `in state "`+state+`"`), "%s:\n%s", name, out)
		assert.NotContains(t, out, "Clean", name) // never another test's goroutines
	}
	// The sleeping loop is caught asleep or awake: count its goroutine instead.
	loop := run.output["TestLeakSleepingLoop"]
	assert.Equal(t, runs, countReports(loop, "TestLeakSleepingLoop", "1 goroutine"), loop)
	assert.Equal(t, runs, strings.Count(loop, "parallel.TestLeakSleepingLoop.func1 at "), loop)
	parent := run.output["TestLeakInSubtests"]
	assert.Equal(t, runs, countReports(parent, "TestLeakInSubtests", "1 goroutine"), parent)
	assert.Equal(t, runs, strings.Count(parent, "blocked in: github.com/leakcheck/leakcheck/testdata/e2e/parallel.TestLeakInSubtests.func1.1 "), parent)
	assert.NotContains(t, parent, `"own"`)
	own := run.output["TestLeakInSubtests/OwnCheck"]
	assert.Equal(t, runs, countReports(own, "TestLeakInSubtests/OwnCheck", "1 goroutine"), own)
}
