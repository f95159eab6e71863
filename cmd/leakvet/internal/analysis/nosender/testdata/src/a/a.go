package a

type conn struct{ events chan bool }

func (c *conn) watch(done chan bool) {
	for range c.events {
	}
}

func (c *conn) watchAndClose(done chan bool) {
	defer close(done)
	for range c.events {
	}
}

// The watcher was to close done, and does not: the shape of grpc#1424.
func (c *conn) Dial() {
	done := make(chan bool)
	go c.watch(done)
	<-done // want "receive blocks forever: nothing sends on this channel or closes it \\(`\\(\\*conn\\).watch`, given it, never uses it\\)"
}

// Quiet: the watcher closes it.
func (c *conn) DialFixed() {
	done := make(chan bool)
	go c.watchAndClose(done)
	<-done
}

// Quiet: the channel goes elsewhere too.
func (c *conn) DialShared(register func(chan bool)) {
	done := make(chan bool)
	register(done)
	go c.watch(done)
	<-done
}
