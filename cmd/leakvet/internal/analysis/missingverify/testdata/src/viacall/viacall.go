package viacall

// Server starts its loop in a goroutine.
type Server struct{ stop chan struct{} }

func (s *Server) start() { // want start:"startsGoroutines"
	go func() { <-s.stop }()
}

// New returns a running server: it starts a goroutine through start.
func New() *Server { // want New:"startsGoroutines"
	s := &Server{stop: make(chan struct{})}
	s.start()
	return s
}

// Add starts nothing.
func Add(a, b int) int { return a + b }
