// Package doublelock defines an Analyzer that reports a lock taken again
// by the goroutine that already holds it.
//
// # Analyzer doublelock
//
// doublelock: report a sync.Mutex or sync.RWMutex locked again on a path that holds it
//
// Go's locks are not reentrant: Lock on a mutex the goroutine holds
// blocks forever, and so does RLock while it holds Lock, or Lock while it
// holds RLock. RLock while it holds RLock blocks as soon as a writer
// waits in between (sync.RWMutex forbids recursive read locking):
//
//	func (l *logger) output() {
//		l.mu.Lock()
//		defer l.mu.Unlock()
//		if err := l.create(); err != nil {
//			l.exit(err) // exit locks l.mu again: blocks forever
//		}
//	}
//
// The analysis follows the calls within the package (methods of a type
// calling each other, functions, closures called in place, methods of
// the package's own interfaces resolved to the package's types, and
// callbacks kept in fields, locals and parameters), deferred unlocks,
// early returns and loops, and names a lock by how the code reaches it
// (s.mu, r.store.mu), so that two instances of a type are never
// confused. It sees a lock through a sync.Locker it can trace (a Cond's
// L made on a mutex or on an RWMutex's RLocker), through a constructor
// that stores its argument (newAPI(c).client is c), through a callback
// that captures the value whose field keeps it (x.onFlush = x.flush),
// back from a child taken from one of its parent's collections
// whose one field of the parent's type points at it (a replica's
// store), and back from a value kept in a field whose own field points
// at the struct keeping it (s.h = &counter{srv: s}: a call of s.h.Handle
// that locks c.srv.mu locks s.mu). It reports where the second Lock blocks, with the path from
// the first: "`s.mu` is locked at a.go:35 and again at a.go:53 through
// `(*Stopper).Quiesce` → `(*Stopper).runWorker`".
//
// A goroutine waits as surely for a lock held by the goroutine that
// waits for it: doublelock also reports a lock taken by a goroutine
// started holding it, a function of the package named or made in place
// at the go statement, when the starter then waits for that goroutine
// (a receive from a channel the goroutine sends on or closes, a
// WaitGroup.Wait it marks Done) still holding the lock:
//
//	func (r *registry) refresh() {
//		r.mu.RLock()
//		defer r.mu.RUnlock()
//		var wg sync.WaitGroup
//		for i := range r.names {
//			wg.Add(1)
//			go func() { defer wg.Done(); r.name(i) }() // name read-locks r.mu
//		}
//		wg.Wait() // a writer between the two RLocks blocks all three
//	}
//
// It also reports a function that returns with a lock still held on
// some paths to a return but not on others (an unlock forgotten before a
// break or an early return): at that return when the function is only
// ever run as a value (a callback, a goroutine's body), and otherwise
// where its caller then takes the lock again. Functions called by name,
// and exported ones, may keep a lock for their caller on purpose
// (acquireForkLock, Rows.Scan) and are not judged by their returns, but
// for one: a return of a non-nil error that keeps a lock the function
// released before going round its loop again, since a caller told that
// the call failed does not unlock.
//
// A lock is held when it is held on every path; interfaces declared in
// other packages (an io.Writer may hold anything), a method reaching its
// own type's method through an interface (a wrapper calling what it
// wraps), TryLock and code in other packages are not followed. Where the
// fix is mechanical (a return that forgets the unlock the function
// makes elsewhere) it is suggested: the unlock, just before the return. Quiet where the second Lock
// depends on a parameter (if needLock { mu.Lock() }), where a goroutine
// takes the lock over, for hand-over-hand locking (i = i.parent), and
// for a test that locks twice in its own body, which means to block.
package doublelock
