package leakcheck_test

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const faultsPkg = "github.com/leakcheck/leakcheck/testdata/e2e/faults."

// A test that ends abnormally still gets its leak check, and the check
// never hides how it ended: the original panic, failure or skip message
// stays in the output beside the leak report.
func TestFaultsEndingsKeepTheirMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		test     string
		action   string // the test's outcome
		original string // what the test itself printed
		leak     bool
		exitCode int
	}{
		// A panic still runs the cleanups, so the check reports, then the
		// panic continues and ends the test binary as it would have.
		{"TestPanics", "fail", "panic: the original panic message", true, 1},
		{"TestPanicsClean", "fail", "panic: the original panic message", false, 1},
		{"TestPanicsInCleanup", "fail", "panic: the original cleanup panic", true, 1},
		{"TestFailNow", "fail", "the original failure", true, 1},
		{"TestFailNowClean", "fail", "the original failure", false, 1},
		// A leak fails a skipped test: the goroutines leaked all the same.
		{"TestSkip", "fail", "the original skip reason", true, 1},
		{"TestSkipClean", "skip", "the original skip reason", false, 0},
		{"TestGoexit", "fail", "test executed panic(nil) or runtime.Goexit", true, 1},
		{"TestGoexitClean", "fail", "test executed panic(nil) or runtime.Goexit", false, 1},
		{"TestFailNowInParallelSubtest/fails", "fail", "the original subtest failure", true, 1},
	}
	for _, c := range cases {
		t.Run(c.test, func(t *testing.T) {
			t.Parallel()
			run := runGoTest(t, "faults", nil, "-run", "^"+strings.ReplaceAll(c.test, "/", "$/^")+"$")
			require.Equal(t, c.exitCode, run.exitCode, run.raw)
			want := map[string]string{c.test: c.action}
			if parent, _, ok := strings.Cut(c.test, "/"); ok {
				want[parent] = "fail" // a failing subtest fails its parent
			}
			run.requireOutcomes(t, 1, want)
			// Panics print outside the test's output.
			out := run.output[c.test] + run.output[""]
			assert.Contains(t, out, c.original)
			if c.leak {
				assert.Equal(t, 1, countReports(out, c.test, "1 goroutine"), out)
				assert.Contains(t, out, "blocked in: "+faultsPkg+"sendForever")
			} else {
				assert.NotContains(t, out, "leakcheck:")
			}
		})
	}
}

var stillThere = regexp.MustCompile(`still there after ([0-9.]+m?s)\n`)

// A leaked goroutine that spins or holds a lock others wait for does not
// stall the check: it reports after MaxWait (500ms in these tests), with
// GOMAXPROCS 1 and 2.
func TestFaultsSpinningAndLockingLeaksDoNotStallTheCheck(t *testing.T) {
	t.Parallel()
	const maxWait = 500 * time.Millisecond
	// A stall would last until the test binary's timeout; a loaded CI
	// machine adds seconds to a dump or two (2.8 s was seen on 2 shared
	// cores), so the bound is far from both.
	const margin = 10 * time.Second
	cases := map[string][]string{
		"TestSpinning":           {`"runnable"`, `"running"`},
		"TestHoldsMutex":         {`"sync.Mutex.Lock"`},
		"TestHoldsMutexSpinning": {`3 goroutines in state "sync.Mutex.Lock"`},
	}
	run := runGoTest(t, "faults", nil, "-cpu=1,2", "-run", "^(TestSpinning|TestHoldsMutex|TestHoldsMutexSpinning)$")
	require.Equal(t, 1, run.exitCode, run.raw)
	want := map[string]string{}
	for name := range cases {
		want[name] = "fail"
	}
	run.requireOutcomes(t, 2, want)
	for name, states := range cases {
		out := run.output[name]
		assert.Equal(t, 2, strings.Count(out, "leakcheck: "+name+" leaked"), out)
		found := false
		for _, s := range states {
			found = found || strings.Contains(out, s)
		}
		assert.True(t, found, "%s: want one of %v in\n%s", name, states, out)
		waits := stillThere.FindAllStringSubmatch(out, -1)
		require.NotEmpty(t, waits, out)
		for _, m := range waits {
			d, err := time.ParseDuration(m[1])
			require.NoError(t, err)
			assert.GreaterOrEqual(t, d, maxWait, "%s waited less than MaxWait:\n%s", name, out)
			assert.Less(t, d, maxWait+margin, "%s: the check stalled:\n%s", name, out)
		}
	}
}

// 100,000 goroutines leaked by one line make one group with one stack: a
// report of a few KB, not megabytes.
func TestFaultsHundredThousandLeaksGiveABoundedReport(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "faults", nil, "-run", "^TestHundredThousand$")
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{"TestHundredThousand": "fail"})
	out := run.output["TestHundredThousand"]
	assert.Equal(t, 1, countReports(out, "TestHundredThousand", "100000 goroutines"), out)
	assert.Contains(t, out, `[1/1] 100000 goroutines in state "chan receive"`)
	assert.Equal(t, 1, strings.Count(out, "stack of goroutine"))
	assert.Less(t, len(out), 8<<10, "report size")
}

// A dump far larger than the first buffer (and than 64 MiB) is read
// whole: every leaked goroutine is counted.
func TestFaultsDumpLargerThanAnyBufferIsReadWhole(t *testing.T) {
	t.Parallel()
	run := runGoTest(t, "faults", nil, "-run", "^TestBigDump$")
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{"TestBigDump": "fail"})
	out := run.output["TestBigDump"]
	m := regexp.MustCompile(`dump size: (\d+) bytes`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	size, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	assert.Greater(t, size, 64<<20, "the dump must exceed 64 MiB")
	assert.Equal(t, 1, countReports(out, "TestBigDump", "6000 goroutines"), out)
	assert.Contains(t, out, `[1/1] 6000 goroutines in state "chan receive"`)
	assert.Less(t, len(out), 16<<10, "report size")
}

// Verify through a saved t whose subtest has finished: a clear message
// (then the testing package's own panic for a finished t), and the
// calling test's check is not disturbed.
func TestFaultsVerifyOnFinishedTest(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, "go1.24", "telling a finished test (testing.T.Context)")
	run := runGoTest(t, "faults", nil, "-run", "^TestVerifyFinishedSubtest$")
	require.Equal(t, 1, run.exitCode, run.raw)
	run.requireOutcomes(t, 1, map[string]string{"TestVerifyFinishedSubtest": "fail", "TestVerifyFinishedSubtest/sub": "pass"})
	out := run.output["TestVerifyFinishedSubtest"]
	assert.Contains(t, out, "leakcheck: Verify called for TestVerifyFinishedSubtest/sub after the test function returned; call Verify as the first line of the test")
	assert.Contains(t, out, "recovered: Fail in goroutine after TestVerifyFinishedSubtest/sub has completed")
	assert.Equal(t, 1, countReports(out, "TestVerifyFinishedSubtest", "1 goroutine"), out)
	assert.Contains(t, out, "blocked in: "+faultsPkg+"sendForever")
}

// Test names that are awkward as file names or labels (slashes, spaces,
// unicode, "..", quotes, label syntax) are named exactly in reports, as
// the testing package spells them, and nothing is written to files.
func TestFaultsWeirdTestNames(t *testing.T) {
	t.Parallel()
	leakcheck.RequireGo(t, leakcheck.GoLabels, "naming the subtest that leaked (pprof labels in the dump)")
	run := runGoTest(t, "names", nil)
	require.Equal(t, 1, run.exitCode, run.raw)
	names := []string{
		"TestNames/a/b", "TestNames/with_space", "TestNames/ünïcödé-名前", "TestNames/..",
		"TestNames/../../escape", "TestNames/#00", "TestNames/tab_here", `TestNames/back\slash`,
		`TestNames/quote"d`, "TestNames/leakcheck:1", "TestNames/{k:_v}",
	}
	want := map[string]string{"TestNames": "fail"}
	for _, name := range names {
		want[name] = "fail"
	}
	run.requireOutcomes(t, 1, want)
	for _, name := range names {
		out := run.output[name]
		assert.Equal(t, 1, countReports(out, name, "1 goroutine"), name)
		assert.Contains(t, out, "(test "+name+")", name)
		// Reports start a line; go1.27 also prints the scope label as
		// "{leakcheck: N}" inside the stack.
		assert.Equal(t, 1, strings.Count(out, ": leakcheck: "), "only its own report: %s\n%s", name, out)
	}
	// No file anywhere in the module is named after a test.
	root, err := filepath.Abs(".")
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // another engineer's files come and go
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		for _, token := range []string{"escape", "名前", "with_space", "back\\slash", "quote\"d", "{k:"} {
			assert.NotContains(t, d.Name(), token, "file written for a test name: %s", path)
		}
		return nil
	})
	require.NoError(t, err)
}
