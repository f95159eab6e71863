// Package cgo calls C and locks a mutex twice: the cgo code is skipped,
// the Go code is checked.
package cgo

/*
static int answer(void) { return 42; }
*/
import "C"

import "sync"

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += int(C.answer())
	c.log()
}

func (c *counter) log() {
	c.mu.Lock()
	defer c.mu.Unlock()
}
