package leakysuite

import (
	"net"
	"sync"
	"time"
)

// DefaultMaxIdleWorkerDuration is how long a worker waits for a
// connection before the janitor lets it go, and how often the janitor
// looks.
const DefaultMaxIdleWorkerDuration = time.Second

// A workerPool serves connections with a worker each, started on
// demand; its janitor wakes up every maxIdle to let idle workers go.
type workerPool struct {
	handle  func(net.Conn)
	maxIdle time.Duration

	mu      sync.Mutex
	stopped bool
	stopCh  chan struct{}
}

func (wp *workerPool) start() {
	wp.stopCh = make(chan struct{})
	go wp.janitor(wp.stopCh)
}

// janitor notices stop only when it wakes up.
func (wp *workerPool) janitor(stop chan struct{}) {
	for {
		wp.clean()
		select {
		case <-stop:
			return
		default:
			time.Sleep(wp.maxIdle)
		}
	}
}

func (wp *workerPool) clean() {
	wp.mu.Lock()
	defer wp.mu.Unlock()
}

func (wp *workerPool) stop() {
	wp.mu.Lock()
	defer wp.mu.Unlock()
	if !wp.stopped {
		wp.stopped = true
		close(wp.stopCh)
	}
}

// serve hands c to a worker of its own.
func (wp *workerPool) serve(c net.Conn) {
	go wp.worker(c)
}

func (wp *workerPool) worker(c net.Conn) {
	wp.handle(c)
}
