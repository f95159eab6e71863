package check

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startIdleLoop starts a loop that notices stop only when it wakes up,
// every every: a slow exit once stop is closed.
func startIdleLoop(stop <-chan struct{}, every time.Duration) {
	go func() {
		for {
			time.Sleep(every)
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
}

// Recording notes a goroutine still there 100 ms into the check that then
// exits on its own, and not one that stops with its test; once recorded,
// a check passes while a goroutine of that kind is still winding down.
func TestRecordingNotesSlowExits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakcheck.baseline")
	t.Setenv(baseline.BaselineUpdateEnv, "1")
	r := testenv.NewRecorder(t, "TestIdle")
	verify(r, withBaseline(path), maxWait(5*time.Second))
	quick := make(chan struct{})
	go func() { <-quick }()
	// A loaded machine may look at slowExit late: a wait longer than a
	// recording's 250 ms keeps this test about the slow exit.
	defer func(w time.Duration) { process.recordWait = w }(process.recordWait)
	process.recordWait = 5 * time.Second
	r.Cleanup(func() { // runs right before the check
		close(quick)
		stop := make(chan struct{})
		startIdleLoop(stop, 300*time.Millisecond)
		close(stop)
	})
	r.Finish()
	assert.Empty(t, r.AllErrors())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := recordedLines(string(data))
	require.Len(t, lines, 1, string(data))
	const self = "github.com/leakcheck/leakcheck/internal/check"
	assert.Regexp(t, `^[0-9a-f]{16} `+regexp.QuoteMeta(baselinePackage())+` TestIdle: slow exit: time.Sleep in `+
		regexp.QuoteMeta(self+".startIdleLoop.func1, started by "+self+".startIdleLoop")+`$`, lines[0])
	assert.Contains(t, strings.Join(r.Logs, "\n"), "leakcheck: TestIdle: added 1 kind to the baseline "+path+" (LEAKCHECK_BASELINE_UPDATE):\n    "+lines[0])

	t.Setenv(baseline.BaselineUpdateEnv, "")
	r = testenv.NewRecorder(t, "TestIdleAgain")
	verify(r, withBaseline(path), maxWait(5*time.Second))
	stop := make(chan struct{})
	startIdleLoop(stop, 300*time.Millisecond)
	close(stop)
	r.Finish()
	assert.Empty(t, r.AllErrors())
	assert.Contains(t, strings.Join(r.Logs, "\n"), "leakcheck: TestIdleAgain: 1 goroutine of 1 kind known to the baseline",
		"the check passes while the loop still sleeps")
}

// A recording check waits at most recordWait, not its MaxWait: a
// goroutine that exits on its own a second after its test is recorded as
// a leak, still there when the recording stopped waiting, and the kind is
// known all the same.
func TestRecordingWaitIsBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakcheck.baseline")
	t.Setenv(baseline.BaselineUpdateEnv, "1")
	r := testenv.NewRecorder(t, "TestIdle")
	verify(r, withBaseline(path), maxWait(30*time.Second))
	stop := make(chan struct{})
	startIdleLoop(stop, 2*time.Second)
	close(stop)
	r.Finish()
	assert.Empty(t, r.AllErrors())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(data), " TestIdle: leak: time.Sleep in github.com/leakcheck/leakcheck/internal/check.startIdleLoop.func1")
}

// recordedLines returns the lines of a baseline file but its comments:
// the kinds it records.
func recordedLines(data string) []string {
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		if !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	return lines
}

// baselinePackage is the package the baseline's lines name: the package
// under test, or "-" where the toolchain does not say (before go1.24).
func baselinePackage() string {
	if runtimeread.PackagePath == "" {
		return "-"
	}
	return runtimeread.PackagePath
}
