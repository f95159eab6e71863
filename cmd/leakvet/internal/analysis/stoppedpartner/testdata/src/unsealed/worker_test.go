// Quiet: the external test package beside these test files (package
// unsealed_test) can use their exported fields.
package unsealed

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
			t.Events <- 0
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
