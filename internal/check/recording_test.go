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
	"github.com/leakcheck/leakcheck/internal/stack"
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

func TestStillnessLook(t *testing.T) {
	at := time.Unix(1000, 0)
	blocked := func(id uint64, state, block string) *stack.Goroutine {
		return &stack.Goroutine{ID: id, State: state, Stack: block}
	}
	a, b := blocked(1, "select", "goroutine 1 [select]:\nf()"), blocked(2, "chan receive", "goroutine 2 [chan receive]:\ng()")
	var s stillness
	assert.False(t, s.look(at, time.Millisecond, []*stack.Goroutine{a, b}), "a first look proves nothing")
	assert.Equal(t, at.Add(stillFor), s.due())
	assert.False(t, s.look(at.Add(stillFor-time.Millisecond), time.Millisecond, []*stack.Goroutine{a, b}))
	assert.True(t, s.look(at.Add(stillFor), time.Millisecond, []*stack.Goroutine{a, b}), "the same goroutines, blocked at the same stacks, for the window")

	s = stillness{}
	s.look(at, time.Millisecond, []*stack.Goroutine{a, b})
	moved := blocked(2, "chan receive", "goroutine 2 [chan receive]:\nh()")
	assert.False(t, s.look(at.Add(stillFor), time.Millisecond, []*stack.Goroutine{a, moved}), "a goroutine that moved starts the window again")
	assert.Equal(t, at.Add(2*stillFor), s.due())
	assert.False(t, s.look(at.Add(2*stillFor), time.Millisecond, []*stack.Goroutine{a}), "a goroutine that left starts the window again")
	assert.True(t, s.look(at.Add(3*stillFor), time.Millisecond, []*stack.Goroutine{a}))

	for _, state := range []string{"sleep", "running", "runnable"} {
		s = stillness{}
		busy := blocked(3, state, "goroutine 3 ["+state+"]:\nk()")
		for i := range 5 {
			assert.False(t, s.look(at.Add(time.Duration(i)*stillFor), time.Millisecond, []*stack.Goroutine{a, busy}),
				"a goroutine %s is never still: its timer or the scheduler will move it", state)
		}
	}

	s = stillness{}
	s.look(at, 100*time.Millisecond, []*stack.Goroutine{a})
	assert.Equal(t, at.Add(200*time.Millisecond), s.due(), "on a machine where a dump takes 100 ms, the window is two dumps")
}

// A recording check records goroutines that stand still, blocked where
// they are, without waiting out recordWait; goroutines asleep it waits
// for up to recordWait, to tell a slow exit.
func TestRecordingStopsWaitingForStillGoroutines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leakcheck.baseline")
	t.Setenv(baseline.BaselineUpdateEnv, "1")
	cfg := testConfig(withBaseline(path), maxWait(time.Minute))
	require.Empty(t, cfg.Errs)
	require.True(t, cfg.Baseline.Recording())
	defer func(w time.Duration) { process.recordWait = w }(process.recordWait)

	stop := make(chan struct{})
	defer close(stop)
	ids := make(chan uint64, 1)
	go func() {
		ids <- process.reader.SelfStack().ID
		<-stop
	}()
	v := waitForGoroutine(t, cfg, <-ids, time.Minute)
	assert.Len(t, v.leaks, 1)
	assert.Zero(t, v.limit, "the check stopped before its wait ran out: the goroutine stood still")

	go func() {
		ids <- process.reader.SelfStack().ID
		for {
			select {
			case <-stop:
				return
			default:
				time.Sleep(5 * time.Millisecond)
			}
		}
	}()
	v = waitForGoroutine(t, cfg, <-ids, 300*time.Millisecond)
	assert.Len(t, v.leaks, 1)
	assert.Equal(t, 300*time.Millisecond, v.limit, "a goroutine asleep is waited for to the end of recordWait")
}

// waitForGoroutine runs a recording check's wait, of recordWait at most,
// for the goroutine id.
func waitForGoroutine(t *testing.T, cfg *Config, id uint64, recordWait time.Duration) verdict {
	t.Helper()
	process.recordWait = recordWait
	v, err := waitForLeaks(cfg, func(snap *runtimeread.Snapshot) (leaks, unknown []*stack.Goroutine) {
		for i := range snap.Goroutines {
			if g := &snap.Goroutines[i]; g.ID == id {
				leaks = append(leaks, g)
			}
		}
		return leaks, nil
	})
	require.NoError(t, err)
	return v
}
