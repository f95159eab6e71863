package check

import (
	"os"
	"sync"
	"time"

	"github.com/leakcheck/leakcheck/internal/baseline"
	"github.com/leakcheck/leakcheck/internal/deadlock"
	"github.com/leakcheck/leakcheck/internal/measure"
	"github.com/leakcheck/leakcheck/internal/owner"
	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// process is all that leakcheck keeps for the life of the test binary,
// beyond one check: each part says who fills it and who reads it.
var process = struct {
	// reader reads the runtime for every check, the watcher and the
	// rerun: its buffers, the dumps concurrent checks share, the proofs
	// (see runtimeread.Reader).
	reader *runtimeread.Reader

	// testMain holds the options given to VerifyTestMain, which apply to
	// every check of the test binary before the check's own:
	// SetTestMainOptions sets them, NewConfig reads them.
	testMain struct {
		sync.Mutex
		opts []func(*Config)
	}

	// baselines holds each baseline file loaded, by path: Config's
	// resolveBaseline opens them, the checks that name one share it.
	baselines baseline.Registry

	// scopes remembers every scope of the process, so that any report
	// can name the test that started a goroutine, even after that test
	// ended: newScope adds to it, the resolver (scopeName) and the
	// deadlock watcher read it.
	scopes scopeRegistry
	// pendingChecks holds each test whose check is registered and has
	// not run yet: StartScope adds it, the check's cleanup removes it,
	// and a second Verify for the same test, finding it there, does
	// nothing.
	pendingChecks sync.Map // testing.TB -> true
	// ownersFound remembers the owner of goroutines whose ownership a
	// check found through creator links, which break when creators exit:
	// classify notes them and recalls them for goroutines whose chain has
	// broken since. Goroutine IDs are never reused, so entries stay true;
	// there is one per such goroutine, a few bytes each.
	ownersFound ownerMemory
	// lastSeen is the last snapshot's goroutines, which a test that
	// starts right after takes as its "before" set: the checks fill it
	// (rememberSnapshot), goroutinesBefore reads it.
	lastSeen lastSnapshot

	// recordWait bounds the wait of a check recording a baseline: whatever is
	// still there then is recorded, as a leak, and no later check waits for
	// its kind, so waiting out MaxWait or MaxWaitSleeping would only tell
	// a leak from an idle loop that exits on its 10 s timer, at the price of
	// that wait for every new kind. Recording stays within a small multiple
	// of the suite's own time. Well above slowExit, so that slow exits are
	// still told. Read by waitForLeaks; tests widen it on a loaded machine.
	recordWait time.Duration

	// watcher is the deadlock watcher, which the first Verify or
	// VerifyTestMain starts (startDeadlockWatch) and which then reads
	// alone, one look at a time.
	watcher deadlock.Watcher

	// jsonFiles appends the JSON lines of every check, and of a rerun,
	// one process's appends at a time (see publish.JSONFiles).
	jsonFiles publish.JSONFiles

	// measure is measuring's state (see measure.State): the parent's
	// side of the reruns, their turns and where they publish, and, in a
	// rerun, its request and the files it inherits. This package fills
	// its Reader and JSONFiles and has it read the request as the
	// process starts (measuring.go's init); the package measure alone reads
	// and writes the rest.
	measure measure.State
}{
	reader:      runtimeread.NewReader(),
	ownersFound: ownerMemory{m: make(map[uint64]owner.Owner)},
	recordWait:  250 * time.Millisecond,
	measure:     measure.State{Output: os.Stdout},
}

// The reader asks the scopes for the labels of the goroutines a test
// starts.
func init() { process.reader.Scopes = &process.scopes }
