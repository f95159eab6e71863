package main

import (
	"fmt"
	"strings"

	"github.com/leakcheck/leakcheck/internal/report"
	"github.com/leakcheck/leakcheck/internal/stack"
)

// A crash is what the runtime said when the program died: a panic or a
// fatal error ("fatal error: concurrent map writes"; "throw: " in Go
// 1.0), printed just before the goroutine that crashed, or its verdict
// that all goroutines are asleep, a deadlock it proved.
type crash struct {
	message  string // the first panic or fatal error line
	deadlock bool   // "all goroutines are asleep - deadlock!"
	pending  bool   // the next goroutine of the dump is the one that crashed
	// kind and id are the fingerprint and ID of the goroutine that
	// crashed; kind is "" when none did (a deadlock, or no dump after
	// the message).
	kind string
	id   uint64
}

// deadlockMessage is how the runtime says it proved a deadlock (since
// Go 1.0, after "fatal error: " or, in Go 1.0, "throw: ").
const deadlockMessage = "all goroutines are asleep - deadlock!"

// line notes a line outside the dump.
func (c *crash) line(line string) {
	var msg string
	for _, p := range []string{"panic: ", "fatal error: ", "throw: "} {
		if strings.HasPrefix(line, p) {
			msg = line
		}
	}
	if msg == "" {
		return
	}
	if strings.HasSuffix(msg, deadlockMessage) {
		c.deadlock = true
		if c.message == "" || !strings.HasSuffix(c.message, deadlockMessage) {
			c.message = strings.Clone(msg)
		}
		c.pending = false
		return
	}
	if c.message == "" {
		c.message = strings.Clone(msg)
	}
	// "panic: x [recovered]" then "panic: y": the goroutine follows the
	// last line.
	c.pending = c.kind == "" && !c.deadlock
}

// goroutine notes a goroutine of the dump: the one that crashed follows
// the message.
func (c *crash) goroutine(g *stack.Goroutine) {
	if !c.pending {
		return
	}
	c.pending = false
	c.kind = report.Fingerprint(g)
	c.id = g.ID
}

// judge gives the runtime's verdict on a group, if it has one: the
// goroutine that crashed, or, in a deadlock the runtime proved, every
// goroutine asleep at a channel or lock operation (or a sleep, a
// WaitGroup: all of them wait for one another).
func (c *crash) judge(gr *report.Group) (verdict, reason string, ok bool) {
	if c.kind != "" && gr.Fingerprint == c.kind {
		return verdictCrash, fmt.Sprintf("goroutine %d crashed: %s", c.id, c.message), true
	}
	if c.deadlock && asleep(gr.First()) {
		return verdictLeak, "deadlocked: the runtime found every goroutine asleep and none can wake another (" + c.message + ")", true
	}
	return "", "", false
}

// asleep reports whether g is one of the goroutines a deadlock holds: a
// goroutine of the program (not one of the runtime's, which it prints
// under GOTRACEBACK=system) that is not running.
func asleep(g *stack.Goroutine) bool {
	switch g.State {
	case "running", "runnable", "syscall", "dead", "idle":
		return false
	}
	for _, f := range g.Frames {
		if !strings.HasPrefix(f.Function, "runtime.") {
			return true
		}
	}
	return false
}
