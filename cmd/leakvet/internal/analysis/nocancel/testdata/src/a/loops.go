package a

import (
	"context"
	"time"
)

// A connection whose dial gives up without closing it: its goroutine
// retries until the context ends, and only Close ends it.
type retryConn struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *retryConn) Close() { c.cancel() }

func (c *retryConn) retry() {
	for attempt := 1; ; attempt++ {
		select { // want "receive from Done blocks forever: the context's cancel function, kept in `retryConn.cancel` \\(loops.go:31\\), is never called on this retryConn: `dialConn` drops it when it returns"
		case <-time.After(time.Duration(attempt) * time.Millisecond):
		case <-c.ctx.Done():
			return
		}
	}
}

func (c *retryConn) connect() bool { return false }

func dialConn() *retryConn {
	c := &retryConn{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.retry()
	return nil
}

// A poller whose cancel function nothing reads.
type poller struct{ stop context.CancelFunc }

func (p *poller) start() {
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	go func() {
		for {
			select { // want "receive from Done waits until the parent context ends: the context's cancel function, kept in `poller.stop`"
			case <-time.After(time.Second):
			case <-ctx.Done():
				return
			}
		}
	}()
}

// The loop also ends when the work is done: no wait to report, the
// field nothing reads is.
type worker struct{ stop context.CancelFunc }

func (w *worker) start(jobs []int) {
	ctx, stop := context.WithCancel(context.Background()) // want "the cancel function of this context is kept in `worker.stop`, which nothing reads"
	w.stop = stop
	go func() {
		for {
			select {
			case <-time.After(time.Second):
				if len(jobs) == 0 {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
}

// A loop with a condition ends on its own: no wait to report either.
type bounded struct{ stop context.CancelFunc }

func (b *bounded) start(n int) {
	ctx, stop := context.WithCancel(context.Background()) // want "the cancel function of this context is kept in `bounded.stop`, which nothing reads"
	b.stop = stop
	go func() {
		for i := 0; i < n; i++ {
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return
			}
		}
	}()
}
