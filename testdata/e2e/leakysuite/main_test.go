package leakysuite

import (
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

// LEAKYSUITE_CHECK sets how far the suite has gone in turning leakcheck
// on, as a team adopting it goes:
//
//	off         the suite as it was: no check
//	plain       Verify first in every test, VerifyTestMain, nothing configured
//	(unset)     the README's path: the waits configured once in TestMain,
//	            and LEAKCHECK_BASELINE, when set, names the baseline
var checking = os.Getenv("LEAKYSUITE_CHECK")

func TestMain(m *testing.M) {
	switch checking {
	case "off":
		os.Exit(m.Run())
	case "plain":
		leakcheck.VerifyTestMain(m)
	case "":
		leakcheck.VerifyTestMain(m,
			// The README's 2 s and 15 s, scaled down ten times with the
			// library's timers: blocked goroutines, and idle loops on 1 s
			// timers.
			leakcheck.MaxWait(200*time.Millisecond),
			leakcheck.MaxWaitSleeping(1500*time.Millisecond),
		)
	default:
		fmt.Fprintf(os.Stderr, "LEAKYSUITE_CHECK=%q: want off, plain or nothing\n", checking)
		os.Exit(2)
	}
}

// verify is the first line of every test: leakcheck.Verify, unless the
// suite runs as it was.
func verify(t *testing.T) {
	if checking != "off" {
		leakcheck.Verify(t)
	}
}

// runs counts the runs of each test in this process (-count).
var runs struct {
	sync.Mutex
	n map[string]int
}

// unlucky reports whether this run of t meets the rare condition that
// its test tolerates, a server error, as one run in five does. It is
// random, from LEAKYSUITE_SEED (the time when unset), the test's name
// and how many times it ran in this process, so that a seed replays the
// same runs whatever the order of the tests.
func unlucky(t *testing.T) bool {
	runs.Lock()
	if runs.n == nil {
		runs.n = make(map[string]int)
	}
	runs.n[t.Name()]++
	n := runs.n[t.Name()]
	runs.Unlock()
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%s/%d", seed, t.Name(), n)
	return h.Sum64()%5 == 0
}

var seed = func() int64 {
	if s, err := strconv.ParseInt(os.Getenv("LEAKYSUITE_SEED"), 10, 64); err == nil {
		return s
	}
	return time.Now().UnixNano()
}()

// serve starts a server with h on loopback and shuts it down when the
// test ends.
func serve(t *testing.T, h Handler) string {
	t.Helper()
	s := &Server{Handler: h}
	addr, err := s.ListenAndServe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return addr
}
