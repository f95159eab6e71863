package leakysuite

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxIdleConnDuration is how long a client keeps an idle
// connection, and how often its cleaner looks.
const DefaultMaxIdleConnDuration = time.Second

// ErrTimeout is returned by [HostClient.DoTimeout] when the response did
// not come in time.
var ErrTimeout = errors.New("timeout")

// A HostClient sends requests to one server over reused connections. A
// cleaner started with the first connection closes connections idle for
// MaxIdleConnDuration; it exits when it wakes up to find none left.
type HostClient struct {
	Addr                string
	MaxIdleConnDuration time.Duration // DefaultMaxIdleConnDuration if zero

	mu            sync.Mutex
	idle          []*clientConn
	open          int
	cleanerActive bool
}

type clientConn struct {
	c        net.Conn
	r        *bufio.Reader
	lastUsed time.Time
}

// Do sends req and returns the response line, without the server date.
func (hc *HostClient) Do(req string) (string, error) {
	cc, err := hc.acquireConn()
	if err != nil {
		return "", err
	}
	resp, err := cc.roundTrip(req)
	if err != nil {
		hc.closeConn(cc)
		return "", err
	}
	hc.releaseConn(cc)
	return resp, nil
}

// DoTimeout is Do that gives up after timeout; the request goes on in the
// background.
func (hc *HostClient) DoTimeout(req string, timeout time.Duration) (string, error) {
	type result struct {
		resp string
		err  error
	}
	ch := make(chan result)
	go func() {
		resp, err := hc.Do(req)
		ch <- result{resp, err} // blocks forever once DoTimeout gave up: a leak
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-t.C:
		return "", ErrTimeout
	}
}

func (cc *clientConn) roundTrip(req string) (string, error) {
	if _, err := cc.c.Write([]byte(req + "\n")); err != nil {
		return "", err
	}
	line, err := cc.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	resp, _, _ := strings.Cut(line, "\t")
	return resp, nil
}

func (hc *HostClient) acquireConn() (*clientConn, error) {
	hc.mu.Lock()
	if n := len(hc.idle); n > 0 {
		cc := hc.idle[n-1]
		hc.idle = hc.idle[:n-1]
		hc.mu.Unlock()
		return cc, nil
	}
	hc.open++
	if !hc.cleanerActive {
		hc.cleanerActive = true
		go hc.connsCleaner()
	}
	hc.mu.Unlock()
	c, err := net.Dial("tcp", hc.Addr)
	if err != nil {
		hc.mu.Lock()
		hc.open--
		hc.mu.Unlock()
		return nil, err
	}
	return &clientConn{c: c, r: bufio.NewReader(c)}, nil
}

func (hc *HostClient) releaseConn(cc *clientConn) {
	cc.lastUsed = time.Now()
	hc.mu.Lock()
	hc.idle = append(hc.idle, cc)
	hc.mu.Unlock()
}

func (hc *HostClient) closeConn(cc *clientConn) {
	cc.c.Close()
	hc.mu.Lock()
	hc.open--
	hc.mu.Unlock()
}

// CloseIdleConnections closes the idle connections; the cleaner exits at
// its next wake-up.
func (hc *HostClient) CloseIdleConnections() {
	hc.mu.Lock()
	idle := hc.idle
	hc.idle = nil
	hc.open -= len(idle)
	hc.mu.Unlock()
	for _, cc := range idle {
		cc.c.Close()
	}
}

func (hc *HostClient) maxIdle() time.Duration {
	if hc.MaxIdleConnDuration > 0 {
		return hc.MaxIdleConnDuration
	}
	return DefaultMaxIdleConnDuration
}

// connsCleaner closes connections idle too long, and exits when it wakes
// up to find no connection open.
func (hc *HostClient) connsCleaner() {
	for {
		time.Sleep(hc.maxIdle())
		hc.mu.Lock()
		var stale []*clientConn
		kept := hc.idle[:0]
		for _, cc := range hc.idle {
			if time.Since(cc.lastUsed) > hc.maxIdle() {
				stale = append(stale, cc)
			} else {
				kept = append(kept, cc)
			}
		}
		hc.idle = kept
		hc.open -= len(stale)
		done := hc.open == 0
		if done {
			hc.cleanerActive = false
		}
		hc.mu.Unlock()
		for _, cc := range stale {
			cc.c.Close()
		}
		if done {
			return
		}
	}
}

// DoRetry sends req up to attempts times, until the server answers
// without an error, and logs each failed attempt.
func (hc *HostClient) DoRetry(req string, attempts int) (string, error) {
	failures := make(chan string)
	go logFailures(req, failures)
	var last error
	for range attempts {
		resp, err := hc.Do(req)
		if err == nil && !strings.HasPrefix(resp, "ERR") {
			if last == nil {
				close(failures)
			}
			// After a failure, failures is never closed: the logger
			// leaks, on the path the tests rarely take.
			return resp, nil
		}
		if err == nil {
			err = errors.New(resp)
		}
		last = err
		failures <- err.Error()
	}
	close(failures)
	return "", last
}

// FailureLog counts the failures logFailures saw.
var FailureLog atomic.Int64

func logFailures(req string, failures <-chan string) {
	for range failures {
		FailureLog.Add(1)
	}
}

// Prefetch sends "GET key" for each key in the background; the responses
// come on the channel, which is closed after the last one or the first
// error.
func (hc *HostClient) Prefetch(keys []string) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for _, k := range keys {
			resp, err := hc.Do("GET " + k)
			if err != nil {
				return
			}
			out <- resp
		}
	}()
	return out
}
