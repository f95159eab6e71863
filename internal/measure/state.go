package measure

import (
	"os"

	"github.com/leakcheck/leakcheck/internal/publish"
	"github.com/leakcheck/leakcheck/internal/runtimeread"
)

// State is what measuring keeps for the life of the test binary: the
// parent's side of the reruns, and, in a rerun, its request and the
// files it inherits. internal/check's process holds the one State of the
// process, fills its exported fields before the first check, and calls
// ReadRequest as the process starts; this package alone reads and writes
// the rest.
type State struct {
	// Reader reads the runtime for the heap dumps and the rerun's looks.
	Reader *runtimeread.Reader
	// JSONFiles appends a rerun's JSON lines, one process's appends at a
	// time.
	JSONFiles *publish.JSONFiles
	// Output is where reruns publish: this process's standard output,
	// which go test reads (tests replace it).
	Output *os.File

	// reruns is the parent's side of the reruns: their time limit and
	// their turns; Rerun.start fills it.
	reruns rerunTurns

	// request is the request this process serves when it is a rerun,
	// nil otherwise; requestErr says why rerunEnv could not be read.
	// ReadRequest sets both, once.
	request    *rerunRequest
	requestErr error
	// child is a rerun's side of its turns: the files it inherits and
	// when its parent exited; takeTurn fills it as the process starts.
	child rerunChildFiles
}

// InRerun reports whether this process is a rerun serving a request.
func (s *State) InRerun() bool { return s.request != nil }

// RequestErr says why this process, started as a rerun, could not read
// its request; nil when it could, or is no rerun.
func (s *State) RequestErr() error { return s.requestErr }
