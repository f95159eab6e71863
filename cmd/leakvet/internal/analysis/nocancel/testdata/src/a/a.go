package a

import (
	"context"
	"time"
)

// Rows whose close no longer cancels: the shape of cockroach#13755.
type rows struct{ cancel context.CancelFunc }

func (rs *rows) initContextClose(ctx context.Context) {
	ctx, rs.cancel = context.WithCancel(ctx)
	go rs.awaitDone(ctx)
}

func (rs *rows) awaitDone(ctx context.Context) {
	<-ctx.Done() // want "receive from Done waits until the parent context ends: the context's cancel function, kept in `rows.cancel` \\(a.go:12\\), is never called"
	rs.close(ctx.Err())
}

func (rs *rows) close(err error) {}

// A watcher started on a closure, with no goroutine waiting in sight.
type watcher struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newWatcher() *watcher {
	w := &watcher{}
	w.ctx, w.cancel = context.WithTimeout(context.Background(), time.Minute) // want "the cancel function of this context is kept in `watcher.cancel`, which nothing reads"
	go func(ctx context.Context) {
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}(w.ctx)
	return w
}

// A closure that captures the context.
type closureRows struct{ stop context.CancelFunc }

func (c *closureRows) start(parent context.Context) {
	ctx, stop := context.WithCancel(parent)
	c.stop = stop
	go func() {
		select {
		case <-ctx.Done(): // want "receive from Done waits until the parent context ends: the context's cancel function, kept in `closureRows.stop`"
		}
	}()
}

// Quiet: Close cancels.
type conn struct{ cancel context.CancelFunc }

func (c *conn) start(ctx context.Context) {
	ctx, c.cancel = context.WithCancel(ctx)
	go func() { <-ctx.Done() }()
}

func (c *conn) Close() { c.cancel() }

// Quiet: the cancel function is handed out.
type handed struct{ cancel context.CancelFunc }

func (h *handed) start(ctx context.Context) context.CancelFunc {
	ctx, h.cancel = context.WithCancel(ctx)
	go func() { <-ctx.Done() }()
	return h.cancel
}

// Quiet: other packages may call an exported field.
type Job struct{ Cancel context.CancelFunc }

func (j *Job) Start(ctx context.Context) {
	ctx, j.Cancel = context.WithCancel(ctx)
	go func() { <-ctx.Done() }()
}

// Quiet: the cancel function is also kept locally, and lostcancel's.
type both struct{ cancel context.CancelFunc }

func (b *both) start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	b.cancel = cancel
	defer cancel()
	<-ctx.Done()
}
