package leakcheck

import (
	"strconv"
	"strings"
	"time"
)

// Goroutine is one goroutine as read from the runtime's goroutine dump.
// It is the single data model used by the parser, the filters, the report
// and every output format. Values passed to user code are shared: treat
// them, including their slices and maps, as read-only.
type Goroutine struct {
	// ID is the runtime's goroutine ID.
	ID uint64
	// State is the wait reason or scheduling status without decorations,
	// e.g. "chan receive", "select", "sync.Mutex.Lock", "running".
	State string
	// Wait is how long the goroutine has been blocked, as the runtime
	// reports it: in whole minutes, and zero below one minute.
	Wait time.Duration
	// Leaked reports that the runtime proved the goroutine leaked: it is
	// blocked on concurrency primitives that nothing alive can reach
	// (the "(leaked)" mark of the goroutine leak profile).
	Leaked bool
	// Durable reports a synctest bubble goroutine blocked durably.
	Durable bool
	// LockedToThread reports a goroutine wired to its OS thread.
	LockedToThread bool
	// Bubble is the synctest bubble ID, or zero outside any bubble.
	Bubble uint64
	// Labels holds the goroutine's pprof labels, nil when it has none.
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
}

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

// fingerprintDepth is how many innermost frames identify a kind of leak:
// deep enough to tell call sites apart, shallow enough that recursion
// depth does not split one bug into many groups.
const fingerprintDepth = 16

// fingerprint identifies goroutines leaked by the same bug: the blocking
// state (without wait time or proof) plus the innermost function names
// and the creating function.
func (g *Goroutine) fingerprint() string {
	var b strings.Builder
	b.WriteString(g.State)
	for i, f := range g.Frames {
		if i == fingerprintDepth {
			break
		}
		b.WriteByte('|')
		b.WriteString(f.Function)
	}
	b.WriteString("|<")
	b.WriteString(g.CreatedBy.Function)
	return b.String()
}

// blockedOnPrimitive reports whether the state is one the runtime's leak
// detector can prove: a wait on a channel or a sync primitive.
func (g *Goroutine) blockedOnPrimitive() bool {
	switch g.State {
	case "chan receive", "chan send", "select",
		"chan receive (nil chan)", "chan send (nil chan)", "select (no cases)",
		"sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock",
		"sync.RWMutex.Lock", "sync.WaitGroup.Wait":
		return true
	}
	return false
}
