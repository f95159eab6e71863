// Package consensus stands for a private module's code, whose path has no
// dot: its frames must read as the program's own, not the standard
// library's.
package consensus

import "sync"

// A Node serializes proposals.
type Node struct {
	mu sync.Mutex
}

// Propose waits for the node's lock.
func (n *Node) Propose() {
	n.mu.Lock()
	defer n.mu.Unlock()
}

// Hold takes the lock and never gives it back.
func (n *Node) Hold() { n.mu.Lock() }
