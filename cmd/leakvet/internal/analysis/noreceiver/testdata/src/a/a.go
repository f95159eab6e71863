package a

// A row channel whose consumer was removed: every push is buffered until
// the buffer fills, and a cancel pushes to every pending receiver in a
// loop, through the package's interface.
type rowReceiver interface{ push() }

type rowChannel struct{ data chan struct{} }

func (rc *rowChannel) init(size int) { rc.data = make(chan struct{}, size) }

func (rc *rowChannel) push() {
	rc.data <- struct{}{} // want "send blocks forever once the buffer is full: nothing receives from `rowChannel.data` \\(made at a.go:10; the package only sends on it\\), and `\\(\\*flow\\).cancel` calls it in a loop at a.go:20 through `\\(\\*flow\\).cancel` → `\\(\\*rowChannel\\).push`"
}

type flow struct{ pending []rowReceiver }

func (f *flow) cancel() {
	for _, r := range f.pending {
		r.push()
	}
}

// An unbuffered notification channel nothing listens to: the first send
// blocks.
type notifier struct{ events chan int }

func newNotifier() *notifier { return &notifier{events: make(chan int)} }

func (n *notifier) notify(ev int) {
	select {
	case n.events <- ev: // want "send blocks forever: nothing receives from `notifier.events` \\(made unbuffered at a.go:28; the package only sends on it\\)"
	}
}

// A buffered channel filled in a loop of its own function.
type batcher struct{ out chan int }

func newBatcher() *batcher { return &batcher{out: make(chan int, 4)} }

func (b *batcher) flush(items []int) {
	for _, it := range items {
		b.out <- it // want "send blocks forever once the buffer of 4 is full: nothing receives from `batcher.out` \\(made at a.go:39; the package only sends on it\\), and `\\(\\*batcher\\).flush` sends in a loop"
	}
}

// Quiet: buffered and sent once; dead code, nothing blocks.
type once struct{ errc chan error }

func newOnce() *once         { return &once{errc: make(chan error, 1)} }
func (o *once) fail(e error) { o.errc <- e }

// Quiet: received from.
type pipe struct{ c chan int }

func newPipe() *pipe { return &pipe{c: make(chan int)} }
func (p *pipe) put(v int) {
	p.c <- v
}
func (p *pipe) run() {
	for {
		select {
		case v := <-p.c:
			_ = v
		}
	}
}

// Quiet: a function given the channel receives from it.
type fed struct{ c chan int }

func newFed() *fed {
	f := &fed{c: make(chan int)}
	go drain(f.c)
	return f
}
func drain(c chan int) {
	for range c {
	}
}
func (f *fed) put(v int) { f.c <- v }

// Quiet: another package may receive from an exported field.
type Exported struct{ C chan int }

func NewExported() *Exported  { return &Exported{C: make(chan int)} }
func (e *Exported) Put(v int) { e.C <- v }

// Quiet: the send does not wait.
type lossy struct{ c chan int }

func newLossy() *lossy { return &lossy{c: make(chan int)} }
func (l *lossy) put(v int) {
	select {
	case l.c <- v:
	default:
	}
}

// Quiet: handed out.
type handed struct{ c chan int }

func newHanded() *handed      { return &handed{c: make(chan int)} }
func (h *handed) put(v int)   { h.c <- v }
func (h *handed) C() chan int { return h.c }

// Quiet: closed (a reader elsewhere may wait for the close: the field is
// not only sent on).
type closing struct{ c chan int }

func newClosing() *closing   { return &closing{c: make(chan int, 1)} }
func (c *closing) put(v int) { c.c <- v }
func (c *closing) stop()     { close(c.c) }
