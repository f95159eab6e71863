// Package broken does not type-check.
package broken

import "sync"

func Twice(mu *sync.Mutex) {
	mu.Lock()
	mu.Lock()
	undefinedCall()
}
