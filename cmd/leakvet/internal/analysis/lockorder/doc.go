// Package lockorder defines an Analyzer that reports two locks taken in
// both orders.
//
// # Analyzer lockorder
//
// lockorder: report two locks taken in opposite orders (an AB-BA deadlock)
//
// When one goroutine holds lock A and waits for lock B while another
// holds B and waits for A, neither ever moves:
//
//	func (s *Store) flush() {
//		s.mu.Lock()
//		defer s.mu.Unlock()
//		for _, r := range s.replicas {
//			r.report() // locks r.mu while holding s.mu
//		}
//	}
//
//	func (r *Replica) tick() {
//		r.mu.Lock()
//		defer r.mu.Unlock()
//		r.store.mu.Lock() // locks s.mu while holding r.mu: deadlock
//		r.store.mu.Unlock()
//	}
//
// Locks are named by type and field (Store.mu, Replica.mu) or as package
// variables, since the two orders are usually taken on different paths
// to the same objects. The analysis follows the calls within the package
// as doublelock does, and reports each of the two second acquisitions
// with the path that leads to it and where the other order is taken.
// Two locks of the same type and field (a parent and a child node) are
// not an order it judges, and two orders that take both locks only for
// reading do not block each other.
package lockorder
