package a

// A stream's buffer that its reader waits on, and that closing the
// stream was to signal and does not: the shape of grpc#1275.
type recvBuffer struct{ c chan bool }

func (b *recvBuffer) get() <-chan bool { return b.c }

type reader struct{ recv *recvBuffer }

func newReader() *reader { return &reader{recv: &recvBuffer{c: make(chan bool)}} }

func (r *reader) Read() {
	select {
	case <-r.recv.get(): // want "receive blocks forever: nothing sends on `recvBuffer.c` or closes it \\(made at field.go:11; the package only receives from it\\)"
	}
}

// A stopper whose quiesce channel nothing closes: the shape of
// cockroach#25456.
type stopper struct{ quiescer chan struct{} }

func newStopper() *stopper { return &stopper{quiescer: make(chan struct{})} }

func (s *stopper) shouldQuiesce() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.quiescer
}

func process(s *stopper) {
	<-s.shouldQuiesce() // want "receive blocks forever: nothing sends on `stopper.quiescer` or closes it"
}

// Quiet: closed on stop.
type closer struct{ done chan struct{} }

func newCloser() *closer                 { return &closer{done: make(chan struct{})} }
func (c *closer) stop()                  { close(c.done) }
func (c *closer) wait()                  { <-c.done }
func (c *closer) doneC() <-chan struct{} { return c.done }

// Quiet: a goroutine sends on it.
type sender struct{ out chan int }

func newSender() *sender {
	s := &sender{out: make(chan int)}
	c := s.out
	go func() { c <- 1 }()
	return s
}

func (s *sender) next() int { return <-s.out }

// Quiet: another package may send on an exported field.
type Exported struct{ C chan int }

func NewExported() *Exported  { return &Exported{C: make(chan int)} }
func (e *Exported) Next() int { return <-e.C }

// Quiet: the receive waits on something else too.
type either struct {
	never chan int
	other chan int
}

func newEither() *either { return &either{never: make(chan int), other: make(chan int)} }

func (e *either) next() int {
	select {
	case v := <-e.never:
		return v
	case v := <-e.other:
		return v
	}
}

func (e *either) put(v int) { e.other <- v }

// Quiet: handed out as a channel others may send on.
type handed struct{ c chan int }

func newHanded() *handed            { return &handed{c: make(chan int)} }
func (h *handed) channel() chan int { return h.c }
func (h *handed) next() int         { return <-h.c }

// Quiet: the channel comes from the caller, who may send on it.
type given struct{ c chan int }

func newGiven(c chan int) *given { return &given{c: c} }
func (g *given) next() int       { return <-g.c }

// Quiet: made, sent on, then stored.
type primed struct{ c chan int }

func newPrimed() *primed {
	c := make(chan int, 1)
	c <- 1
	return &primed{c: c}
}

func (p *primed) next() int { return <-p.c }

// Quiet: the accessor returns another channel on some paths.
type parented struct {
	parent *closer
	own    chan struct{}
}

func newParented() *parented { return &parented{own: make(chan struct{})} }

func (p *parented) done() <-chan struct{} {
	if p.parent != nil {
		return p.parent.doneC()
	}
	return p.own
}

func (p *parented) wait() { <-p.done() }

// A helper receives from the field's channel and from others: only the
// receive made on the field itself is reported.
type latch struct{ ready chan struct{} }

func newLatch() *latch { return &latch{ready: make(chan struct{})} }

func waitOn(c <-chan struct{}) { <-c }

func (l *latch) await() {
	waitOn(l.ready)
	<-l.ready // want "receive blocks forever: nothing sends on `latch.ready` or closes it"
}

func awaitOther() {
	c := make(chan struct{})
	close(c)
	waitOn(c)
}

// Quiet: a helper closes it.
type closedByHelper struct{ ready chan struct{} }

func newClosedByHelper() *closedByHelper { return &closedByHelper{ready: make(chan struct{})} }
func release(c chan struct{})            { close(c) }
func (c *closedByHelper) open()          { release(c.ready) }
func (c *closedByHelper) await()         { <-c.ready }
