package leakcheck_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Verify(b) checks each round of a benchmark when the round ends, fails
// the benchmark that leaks, and leaves the clean ones measured.
func TestVerifyInBenchmarks(t *testing.T) {
	t.Parallel()
	// 100x: one round of b.N=1, then one of b.N=100.
	run := runGoTest(t, "benchfuzz", []string{"LEAKCHECK_MAX_WAIT=1s"}, "-run=^$", "-bench=.", "-benchtime=100x")
	require.NotZero(t, run.exitCode, run.raw)
	clean := []string{"BenchmarkClean", "BenchmarkSub/Clean"}
	if slices.Contains(build.Default.ReleaseTags, "go1.24") {
		clean = append(clean, "BenchmarkCleanLoop") // b.Loop
	}
	for _, name := range clean {
		assert.Contains(t, run.output[name], "ns/op", name)
		assert.NotContains(t, run.output[name], "leakcheck:", name)
		assert.NotContains(t, run.results[name], "fail", name)
	}
	for name, subject := range map[string]string{
		"BenchmarkLeak":             "BenchmarkLeak",
		"BenchmarkLeakLaterRound-2": "BenchmarkLeakLaterRound", // named by the round that failed
		"BenchmarkSub/Leak":         "BenchmarkSub/Leak",
	} {
		if strings.HasSuffix(name, "-2") && run.results[name] == nil {
			name = strings.TrimSuffix(name, "-2") // GOMAXPROCS=1
		}
		assert.Equal(t, []string{"fail"}, run.results[name], "%s\n%s", name, run.raw)
		out := run.output[name]
		if name != subject {
			out += run.output[subject] // test2json files the report under the plain name
		}
		assert.Equal(t, 1, countReports(out, subject, "1 goroutine"), "%s:\n%s", name, out)
		assert.NotContains(t, out, "ns/op", "a failing benchmark has no result")
	}
}

// In fuzz targets, Verify(t) in the fuzz function checks each input, and
// Verify(f) checks the whole target once after all inputs; with both, a
// leak is reported once, by the input.
func TestVerifyInFuzzTargets(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "benchfuzz", []string{"LEAKCHECK_MAX_WAIT=1s"}, "-run=^Fuzz")
	require.NotZero(t, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{
		"FuzzClean":               "pass",
		"FuzzLeakPerInput/seed#0": "pass",
		"FuzzLeakPerInput/seed#1": "fail",
		"FuzzLeakPerInput/seed#2": "pass",
		"FuzzLeakPerInput":        "fail",
		"FuzzLeakOuter/seed#0":    "pass",
		"FuzzLeakOuter/seed#1":    "pass",
		"FuzzLeakOuter":           "fail",
		"FuzzLeakBoth/seed#1":     "fail",
		"FuzzLeakBoth":            "fail",
	})
	for name, subject := range map[string]string{
		"FuzzLeakPerInput/seed#1": "FuzzLeakPerInput/seed#1",
		"FuzzLeakOuter":           "FuzzLeakOuter",
		"FuzzLeakBoth/seed#1":     "FuzzLeakBoth/seed#1",
	} {
		out := run.output[name]
		assert.Equal(t, 1, countReports(out, subject, "1 goroutine"), "%s:\n%s", name, out)
	}
	assert.NotContains(t, run.output["FuzzLeakBoth"], "leakcheck:", "reported once, by the input")
	assert.NotContains(t, run.output["FuzzLeakPerInput"], "leakcheck:")
}
