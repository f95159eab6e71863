// Package stack reads goroutine dumps, the text of runtime.Stack(buf, true)
// and of a crash or a /debug/pprof/goroutine?debug=2 page, into the one
// model of a goroutine that the rest of leakcheck shares: the library's
// checks, its report and outputs, and the commands. The public
// leakcheck.Goroutine is an alias of [Goroutine].
package stack

import (
	"strconv"
	"time"
)

// A Goroutine is one goroutine of a goroutine dump: who it is, what it
// waits for, its stack, who started it, and its pprof labels. Values
// handed to user code are shared: treat them, slices and maps included,
// as read-only.
type Goroutine struct {
	// ID is the runtime's goroutine ID.
	ID uint64
	// State is the wait reason or scheduling status without decorations,
	// e.g. "chan receive", "select", "sync.Mutex.Lock", "running".
	State string
	// Wait is how long the goroutine has been blocked, as the runtime
	// reports it: in whole minutes, and zero below one minute.
	Wait time.Duration
	// Proven reports whether the runtime proved the goroutine leaked: it
	// is blocked on channels or locks that nothing alive can reach, so
	// it can never run again (the "(leaked)" mark that the goroutine
	// leak profile of go1.27, or go1.26 with the goroutineleakprofile
	// experiment, leaves in the dump).
	Proven bool
	// LockedToThread reports whether the goroutine is wired to its OS
	// thread (runtime.LockOSThread).
	LockedToThread bool
	// Labels holds the goroutine's pprof labels, nil when it has none.
	// In a check, they include the label "leakcheck", whose value names
	// the Verify call that owns the goroutine.
	Labels map[string]string
	// Frames is the call stack, innermost first.
	Frames []Frame
	// ElidedFrames counts frames the runtime left out of a deep stack.
	ElidedFrames int
	// CreatedBy is the go statement that started the goroutine; its
	// Function is empty for the main goroutine.
	CreatedBy Frame
	// ParentID is the ID of the goroutine that executed that go
	// statement, or zero when the runtime did not say.
	ParentID uint64
	// Ancestors lists the IDs of the creating goroutines, nearest first,
	// when the binary runs with GODEBUG=tracebackancestors=N.
	Ancestors []uint64
	// Stack is the goroutine's block of the dump, verbatim.
	Stack string

	// ancestorFunctions lists the functions on the creators' stacks when
	// each started its child (GODEBUG=tracebackancestors=N), nearest
	// creator first, innermost frame first within each.
	ancestorFunctions []string

	// durable and bubble tell a goroutine of a testing/synctest bubble,
	// which the checks leave to synctest: users never see them set.
	durable bool
	bubble  uint64 // the bubble's ID, or zero outside any bubble

	// garbled counts the lines of the goroutine's block that no runtime
	// writes and no log line looks like: broken positions and headers,
	// as two outputs written at once into one file make.
	garbled int
}

// Garbled returns how many lines of g's block are broken in a way no
// runtime writes and no log line written into a dump looks like: a
// position whose line number is not a number, a header whose state
// holds addresses or "=". Two outputs written at once into one file, or
// a bad copy, make such lines; a dump of one program has none.
func Garbled(g *Goroutine) int { return g.garbled }

// AncestorFunctions returns the functions on the stacks of g's creators
// when each started its child, nearest creator first, innermost frame
// first: nil unless the program runs with GODEBUG=tracebackancestors=N.
func AncestorFunctions(g *Goroutine) []string { return g.ancestorFunctions }

// Bubble returns the ID of g's testing/synctest bubble, or zero when g
// is outside any bubble.
func Bubble(g *Goroutine) uint64 { return g.bubble }

// Frame is one function call in a goroutine's stack.
type Frame struct {
	// Function is the fully qualified function name, as in
	// "net/http.(*persistConn).readLoop" or "main.F[...]".
	Function string
	// File and Line locate the call; File is empty when unknown.
	File string
	Line int
}

// String formats the frame as "function at file:line".
func (f Frame) String() string {
	if f.File == "" {
		return f.Function
	}
	return f.Function + " at " + f.Location()
}

// Location formats the frame's position as "file:line".
func (f Frame) Location() string {
	if f.File == "" {
		return "?"
	}
	return f.File + ":" + strconv.Itoa(f.Line)
}

// TopFunction returns the innermost function of the stack, or "" when the
// stack is unknown.
func (g *Goroutine) TopFunction() string {
	if len(g.Frames) == 0 {
		return ""
	}
	return g.Frames[0].Function
}

// EntryFunction returns the outermost function of the stack: the function
// the go statement started, unless frames were elided.
func (g *Goroutine) EntryFunction() string {
	if len(g.Frames) == 0 {
		return ""
	}
	return g.Frames[len(g.Frames)-1].Function
}

// HasFunction reports whether any frame, or the creator, is the function
// name.
func (g *Goroutine) HasFunction(name string) bool {
	if g.CreatedBy.Function == name {
		return true
	}
	for _, f := range g.Frames {
		if f.Function == name {
			return true
		}
	}
	return false
}

// Provable reports whether state is one the runtime's leak detector can
// judge: a wait on a channel or a sync primitive. Goroutines that run,
// sleep, wait for I/O or sit in a system call are still making progress.
func Provable(state string) bool {
	switch state {
	case "chan receive", "chan send", "select",
		"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)",
		"sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock",
		"sync.RWMutex.Lock", "sync.WaitGroup.Wait":
		return true
	}
	return false
}

// Progressing reports whether g is running, ready to run, or in a system
// call: making progress, such as a goroutine its timer just woke on its
// way to exit, or one writing to a socket. Where it will block next, if
// anywhere, is yet to be seen, so it never ends a wait.
func Progressing(g *Goroutine) bool {
	switch g.State {
	case "running", "runnable", "preempted", "syscall":
		return true
	}
	return false
}

// IDSetKey condenses a set of goroutine IDs into a number that changes
// when the set does (for all practical purposes).
func IDSetKey(gs []*Goroutine) uint64 {
	var sum, xor uint64
	for _, g := range gs {
		sum += g.ID * 0x9E3779B97F4A7C15
		xor ^= g.ID
	}
	return sum ^ xor<<1 ^ uint64(len(gs))
}
