// Package clean starts goroutines and stops them.
package clean

func init() { go daemon() }

var wake = make(chan struct{})

// daemon runs for the life of the process: the checks ignore it.
func daemon() {
	for range wake {
	}
}

// Start starts a worker and returns the function that stops it and
// waits for it to end.
func Start() (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		<-done
		close(exited)
	}()
	return func() {
		close(done)
		<-exited
	}
}
