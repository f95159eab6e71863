package check

import (
	"math"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck/internal/runtimeread"
	"github.com/leakcheck/leakcheck/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExitedSince(t *testing.T) {
	snap := &runtimeread.Snapshot{Live: 10, Created: 100} // 90 exited before the dump
	cases := []struct {
		name    string
		live    int
		created uint64
		want    int
	}{
		{"nothing happened", 10, 100, 0},
		{"one exited", 9, 100, 1},
		{"one started, one exited", 10, 101, 1},
		{"two started, one exited", 11, 102, 1},
		{"three exited, two started", 9, 102, 3},
		{"one started", 11, 101, 0},
		// Counters read apart can disagree for a moment; never negative.
		{"torn read", 12, 101, 0},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, exitedSince(snap, c.live, c.created), c.name)
	}

	// Without a creation count, any change of the live count may be the
	// exits being waited for, and no change proves nothing happened only
	// as far as exits can be told at all.
	unknown := &runtimeread.Snapshot{Live: 10}
	assert.Equal(t, 0, exitedSince(unknown, 10, 0))
	assert.Equal(t, math.MaxInt, exitedSince(unknown, 9, 0))
	assert.Equal(t, math.MaxInt, exitedSince(unknown, 11, 0))
}

// dumpsDuring returns how many dumps were taken while f ran.
func dumpsDuring(f func()) uint64 {
	process.reader.SharedDumps.Lock()
	before := process.reader.SharedDumps.Started
	process.reader.SharedDumps.Unlock()
	f()
	process.reader.SharedDumps.Lock()
	defer process.reader.SharedDumps.Unlock()
	return process.reader.SharedDumps.Started - before
}

// A test that starts no goroutine costs no dump: Verify reuses what the
// previous check saw, and the check finds that no goroutine was created
// at all since Verify.
func TestCheckOfTestStartingNothingTakesNoDump(t *testing.T) {
	testenv.RequireGo(t, testenv.GoLabels, "the count of goroutines created (runtime/metrics)")
	const tests = 50
	t.Run("warm-up", func(t *testing.T) { verify(t) })
	dumps := dumpsDuring(func() {
		for range tests {
			t.Run("nothing", func(t *testing.T) {
				verify(t)
				_ = fib(15)
			})
		}
	})
	// A goroutine that some earlier test left winding down may cost the
	// odd dump; one per test means the shortcut is gone.
	assert.Less(t, dumps, uint64(tests/5))
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// The shortcut never hides a goroutine started before a late Verify.
func TestCheckAfterLateVerifySeesEarlierGoroutines(t *testing.T) {
	r := testenv.NewRecorder(t, t.Name())
	testenv.LeakUntilCleanup(t)
	verify(r, fast)
	r.Finish()
	assert.Contains(t, r.AllErrors(), "leaked 1 goroutine")
}

// A check without the runtime's leak proofs dumps again only when
// goroutines exit or start, not on a timer: here the goroutine's exit,
// 100 ms after the test, takes one dump beyond the first.
func TestCheckWithoutProofsDumpsOnExits(t *testing.T) {
	testenv.RequireGo(t, testenv.GoLabels, "the count of goroutines created (runtime/metrics)")
	if runtimeread.LeakProfile != nil {
		t.Skip("with the goroutine leak profile, stale snapshots are refreshed to find provable leaks")
	}
	var dumps uint64
	t.Run("slow exit", func(t *testing.T) {
		release := make(chan struct{})
		var before uint64
		t.Cleanup(func() {
			// Registered before Verify's, so it runs after the check.
			process.reader.SharedDumps.Lock()
			dumps = process.reader.SharedDumps.Started - before
			process.reader.SharedDumps.Unlock()
		})
		verify(t)
		go func() { <-release }()
		time.AfterFunc(100*time.Millisecond, func() { close(release) })
		process.reader.SharedDumps.Lock()
		before = process.reader.SharedDumps.Started
		process.reader.SharedDumps.Unlock()
	})
	// The first look, the look after the exit, and some slack for other
	// goroutines of the process starting or exiting meanwhile; a dump per
	// 10 ms would be ten or more.
	assert.GreaterOrEqual(t, dumps, uint64(2))
	assert.LessOrEqual(t, dumps, uint64(5))
}

// Verify called deep in helpers still recognizes the test goroutine,
// whose stack then no longer fits the first buffer.
func TestVerifyDeepInTheStack(t *testing.T) {
	r := testenv.NewRecorder(t, t.Name())
	var deep func(n int)
	deep = func(n int) {
		if n == 0 {
			verify(r, fast)
			return
		}
		deep(n - 1)
	}
	deep(200)
	r.Finish()
	assert.Empty(t, r.AllErrors())
}

// spinFor keeps a goroutine running, never blocked, for d.
func spinFor(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		runtime.Gosched()
	}
}

// A goroutine caught running or runnable is making progress: it never
// ends the longer wait of MaxWaitSleeping at MaxWait.
func TestRunningGoroutineKeepsSleepingWait(t *testing.T) {
	r := testenv.NewRecorder(t, t.Name())
	verify(r, maxWait(50*time.Millisecond), maxWaitSleeping(10*time.Second))
	go spinFor(400 * time.Millisecond)
	r.Finish()
	assert.Empty(t, r.AllErrors())
}

// The same goroutine still fails at MaxWait without MaxWaitSleeping.
func TestRunningGoroutineFailsAtMaxWait(t *testing.T) {
	r := testenv.NewRecorder(t, t.Name())
	verify(r, maxWait(50*time.Millisecond))
	done := make(chan struct{})
	go func() {
		defer close(done)
		spinFor(time.Second)
	}()
	r.Finish()
	<-done
	assert.Contains(t, r.AllErrors(), "leaked 1 goroutine")
	assert.Contains(t, r.AllErrors(), "This check waited its 50ms (MaxWait) for them: ")
}

// A check that waited past MaxWait, because all that was left might
// still wind down, and stopped when a goroutine blocked otherwise, says
// how long it really waited, as its status line does.
func TestWaitNotePastMaxWait(t *testing.T) {
	var held sync.Mutex
	held.Lock()
	t.Cleanup(held.Unlock)
	r := testenv.NewRecorder(t, t.Name())
	verify(r, maxWait(50*time.Millisecond), maxWaitSleeping(time.Second))
	go func() {
		time.Sleep(300 * time.Millisecond)
		held.Lock() // blocked otherwise than on a timer
		held.Unlock()
	}()
	r.Finish()
	errs := r.AllErrors()
	note := regexp.MustCompile(`This check waited (\S+) for them: past its 50ms \(MaxWait\), as long as every goroutine left might still wind down on its own \(up to 1s, MaxWaitSleeping\), until it found one blocked otherwise: `).FindStringSubmatch(errs)
	require.NotNil(t, note, errs)
	status := regexp.MustCompile(`in state "sync.Mutex.Lock": still there after (\S+)\n`).FindStringSubmatch(errs)
	require.NotNil(t, status, errs)
	assert.Equal(t, status[1], note[1], "the status and the note give the same wait")
}
