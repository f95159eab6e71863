package selectloop

// A Hub delivers each published message to every subscriber.
type Hub struct {
	subscribe chan chan<- string
	publish   chan string
	quit      chan struct{} // closed by Close
	done      chan struct{} // closed when the loop has returned
}

func newHub() *Hub {
	return &Hub{
		subscribe: make(chan chan<- string),
		publish:   make(chan string),
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
	}
}

// NewHub starts a Hub.
//
// Bug: no case of the loop returns, so its goroutine never ends.
func NewHub() *Hub {
	h := newHub()
	go func() {
		var subs []chan<- string
		for {
			select {
			case s := <-h.subscribe:
				subs = append(subs, s)
			case msg := <-h.publish:
				for _, s := range subs {
					s <- msg
				}
			}
		}
	}()
	return h
}

// NewHubFixed starts a Hub whose loop returns when Close is called.
func NewHubFixed() *Hub {
	h := newHub()
	go func() {
		defer close(h.done)
		var subs []chan<- string
		for {
			select {
			case s := <-h.subscribe:
				subs = append(subs, s)
			case msg := <-h.publish:
				for _, s := range subs {
					s <- msg
				}
			case <-h.quit:
				return
			}
		}
	}()
	return h
}

// Subscribe registers ch to receive every message published from now on.
func (h *Hub) Subscribe(ch chan<- string) { h.subscribe <- ch }

// Publish delivers msg to every subscriber.
func (h *Hub) Publish(msg string) { h.publish <- msg }

// Close stops a Hub made by NewHubFixed and waits for its goroutine to
// return. It must be called once.
func (h *Hub) Close() {
	close(h.quit)
	<-h.done
}
