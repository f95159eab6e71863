package a

import "context"

// A transaction whose rollback cancels its context, begun and dropped
// by a caller that never rolls it back.
type tx struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func begin(ctx context.Context) *tx {
	ctx, cancel := context.WithCancel(ctx)
	t := &tx{ctx: ctx, cancel: cancel}
	go t.awaitDone()
	return t
}

func (t *tx) awaitDone() {
	<-t.ctx.Done() // want "receive from Done blocks forever: the context's cancel function, kept in `tx.cancel` \\(dropped.go:13\\), is never called on this tx: `beginAndForget` drops `begin`'s result at dropped.go:27"
}

func (t *tx) rollback() { t.close() }
func (t *tx) close()    { t.cancel() }

func beginAndForget() {
	begin(context.Background())
}

// Quiet: the caller rolls it back.
func beginAndRollback() {
	t := begin(context.Background())
	defer t.rollback()
}

// Quiet: dropped, but the parent context is the caller's to cancel.
func beginUnder(ctx context.Context) {
	begin(ctx)
}

// A client whose dial gives up without closing it: the goroutine it
// started waits on a context only Close cancels.
type client struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func (c *client) Close() { c.cancel() }

func (c *client) watch() {
	select {
	case <-c.ctx.Done(): // want "receive from Done blocks forever: the context's cancel function, kept in `client.cancel` \\(dropped.go:58\\), is never called on this client: `dial` drops it when it returns"
	}
}

func dial(fail bool) error {
	c := &client{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go func() { c.watch() }()
	if fail {
		return context.Canceled
	}
	return nil
}

// Quiet: closed on the error path.
func dialAndClose(fail bool) error {
	c := &client{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.watch()
	if fail {
		c.Close()
		return context.Canceled
	}
	return nil
}

// Quiet: kept in a registry someone else closes.
var clients = map[*client]bool{}

func dialAndRegister() {
	c := &client{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.watch()
	clients[c] = true
}

// Quiet: the goroutine cancels it itself.
func dialSelfCancelling() {
	c := &client{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go func() {
		defer c.Close()
		c.watch()
	}()
}

// Quiet: handed to a function of another package.
func dialAndHand(keep func(any)) {
	c := &client{}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.watch()
	keep(c)
}
