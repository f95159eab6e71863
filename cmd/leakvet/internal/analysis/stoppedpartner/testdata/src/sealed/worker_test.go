// A package made only of test files: nothing can import it, so its
// exported fields are as private as unexported ones. A transport's
// worker keeps sending events after the stopper has stopped their only
// reader: the shape of cockroach#1462.
package sealed

type Stopper struct{ stop chan struct{} }

func (s *Stopper) ShouldStop() <-chan struct{} { return s.stop }

type Transport struct {
	Events  chan int
	stopper *Stopper
}

func NewTransport(s *Stopper) *Transport {
	t := &Transport{Events: make(chan int), stopper: s}
	go t.run()
	return t
}

func (t *Transport) run() {
	for {
		select {
		case <-t.stopper.ShouldStop():
			return
		default:
			t.Events <- 0 // want "send on `Transport.Events` blocks forever once `processEvents`, its only receiver, has returned \\(worker_test.go:38\\): select on what stops it too"
		}
	}
}

func processEvents(ch <-chan int, s *Stopper) {
	for {
		select {
		case <-ch:
		case <-s.ShouldStop():
			return
		}
	}
}

func start(t *Transport, s *Stopper) { go processEvents(t.Events, s) }
