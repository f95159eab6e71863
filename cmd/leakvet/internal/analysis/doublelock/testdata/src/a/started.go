package a

import "sync"

// A registry read-locks itself and starts a worker per entry that
// read-locks it again, then waits for the workers holding its read lock:
// a writer arriving in between blocks the workers behind it, and the
// writer waits for the registry's read lock.
type registry struct {
	mu    sync.RWMutex
	names []string
}

func (r *registry) name(i int) string {
	r.mu.RLock() // want "`r.mu` is read-locked at started.go:21 and read-locked again at started.go:15 through `\\(\\*registry\\).refresh\\$1` → `\\(\\*registry\\).name` by the goroutine started at started.go:26, which `\\(\\*registry\\).refresh` waits for at started.go:31 still holding it: blocks forever as soon as a writer calls Lock in between"
	defer r.mu.RUnlock()
	return r.names[i]
}

func (r *registry) refresh() {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var wg sync.WaitGroup
	for i := range r.names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.name(i)
		}()
	}
	wg.Wait()
}

func (r *registry) rename(i int, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names[i] = s
}

// A flusher holds its lock while a goroutine it waits for takes it.
type flusher struct {
	mu  sync.Mutex
	buf []byte
}

func (f *flusher) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	done := make(chan struct{})
	go f.write(done)
	<-done
}

func (f *flusher) write(done chan struct{}) {
	f.mu.Lock() // want "`f.mu` is locked at started.go:47 and locked again at started.go:55 by the goroutine started at started.go:50, which `\\(\\*flusher\\).flush` waits for at started.go:51 still holding it: blocks forever"
	f.buf = f.buf[:0]
	f.mu.Unlock()
	close(done)
}

// Quiet: the lock is released before the wait.
func (f *flusher) flushUnlocked() {
	f.mu.Lock()
	done := make(chan struct{})
	go f.write(done)
	f.mu.Unlock()
	<-done
}

// Quiet: the goroutine waited for is not the one that locks.
func (f *flusher) flushOther(other chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	done := make(chan struct{})
	go f.write(done)
	<-other
}
