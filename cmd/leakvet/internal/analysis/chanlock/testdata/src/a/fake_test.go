package a

import "testing"

// Quiet: a test's fake store, reached from the code under test through
// the package's interface, hands each load to the test.
type fakeStore struct{ loads chan int }

func (f *fakeStore) load(k int) { f.loads <- k }

func TestCacheLoads(t *testing.T) {
	f := &fakeStore{loads: make(chan int)}
	c := &cacheOf{store: f}
	go c.get(1)
	c.mu.Lock()
	c.mu.Unlock()
	<-f.loads
}
