// Package mutex shows goroutines leaked by a mutex that is never
// unlocked.
//
// Cache.Get holds the cache's mutex while it loads a missing value, and
// returns early when the load fails without unlocking. The call that
// failed returns normally; every later call blocks forever in Lock, and
// so does the goroutine that made it.
//
// The fix is "defer c.mu.Unlock()" right after Lock, which unlocks on
// every path, panics included.
package mutex
