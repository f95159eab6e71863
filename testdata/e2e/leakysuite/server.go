// Package leakysuite is a small network library whose tests leave
// goroutines behind the way fasthttp's did when leakcheck was first
// turned on there, with every wait scaled down ten times: idle loops
// that notice they should stop only when their timer wakes them (a
// connection cleaner, a worker pool's janitor, a pipelined writer, a
// server connection waiting out its idle timeout), a cache janitor woken
// by a fast ticker, singletons started on first use, real leaks, and
// leaks on error paths that the tests hit only now and then. leakcheck's
// end-to-end tests and bench/adopt turn leakcheck on in its suite.
package leakysuite

import (
	"bufio"
	"errors"
	"net"
	"sync"
	"time"
)

// A Handler answers one request line with one response line; the server
// adds a tab and its date.
type Handler func(req string) (string, error)

// DefaultIdleTimeout is how long a server keeps an idle connection open.
const DefaultIdleTimeout = time.Second

// A Server answers the request lines of its connections, one worker of
// its pool per connection.
type Server struct {
	Handler     Handler
	IdleTimeout time.Duration // DefaultIdleTimeout if zero

	mu   sync.Mutex
	ln   net.Listener
	pool *workerPool
}

// Serve accepts connections on ln until [Server.Shutdown].
func (s *Server) Serve(ln net.Listener) error {
	return s.accept(ln, s.start(ln))
}

// ListenAndServe serves on a new loopback listener, in the background,
// and returns its address.
func (s *Server) ListenAndServe() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go s.accept(ln, s.start(ln))
	return ln.Addr().String(), nil
}

// start readies s to serve ln with a new worker pool.
func (s *Server) start(ln net.Listener) *workerPool {
	startDateUpdater()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln = ln
	s.pool = &workerPool{handle: s.serveConn, maxIdle: DefaultMaxIdleWorkerDuration}
	s.pool.start()
	return s.pool
}

// accept hands the connections of ln to the pool's workers until ln is
// closed.
func (s *Server) accept(ln net.Listener, pool *workerPool) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		pool.serve(c)
	}
}

// Shutdown closes the listener and stops the worker pool; connections
// still open end at their idle timeout, and the pool's janitor notices at
// its next wake-up.
func (s *Server) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
	}
	if s.pool != nil {
		s.pool.stop()
	}
}

func (s *Server) serveConn(c net.Conn) {
	defer c.Close()
	idle := s.IdleTimeout
	if idle == 0 {
		idle = DefaultIdleTimeout
	}
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	for {
		c.SetReadDeadline(time.Now().Add(idle))
		line, err := r.ReadString('\n')
		if err != nil {
			return // closed by the client, or idle too long
		}
		resp, err := s.Handler(line[:len(line)-1])
		if err != nil {
			resp = "ERR " + err.Error()
		}
		w.WriteString(resp + "\t" + ServerDate() + "\n")
		if w.Flush() != nil {
			return
		}
	}
}
