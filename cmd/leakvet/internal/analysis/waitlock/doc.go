// Package waitlock defines an Analyzer that reports a WaitGroup.Wait made
// while holding a lock that every goroutine it waits for takes before its
// Done.
//
// # Analyzer waitlock
//
// waitlock: report WaitGroup.Wait holding a lock the Done-ers need
//
// A function holds a lock and waits for its workers; each worker takes
// the same lock before it marks itself Done (to record its result, or in
// a deferred cleanup that runs before a deferred Done). The worker
// waits for the lock, the function for the worker: neither moves again.
//
//	func (s *server) stop() {
//		s.mu.Lock()
//		defer s.mu.Unlock()
//		close(s.quit)
//		s.wg.Wait() // every worker locks s.mu before wg.Done
//	}
//
//	func (s *server) worker() {
//		defer s.wg.Done()
//		<-s.quit
//		s.mu.Lock()
//		s.active--
//		s.mu.Unlock()
//	}
//
// The group is a local or an unexported field (see nodone), whose every
// Done is in sight; every Done is in a function other than the waiter's
// that holds the lock there or takes it on every path to the Done (for a
// deferred Done, on every path to the return). Locks are matched by type
// and field (`server.mu`), as lockorder and chanlock match them; a Wait
// holding a read lock is reported only if the Done-ers take it for
// writing.
package waitlock
