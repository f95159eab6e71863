package leakysuite

import (
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestClientRequests(t *testing.T) {
	for _, c := range []struct{ req, want string }{
		{"GET nothing", "0"},
		{"INCR a 5", "5"},
		{"DEL a", "OK"},
		{"REPEAT x 4", "xxxx"},
		{"REPEAT long 100", strings.Repeat("long", 100)},
		{"INCR", `ERR bad request: "INCR": want VERB key [n]`},
	} {
		t.Run(c.req, func(t *testing.T) {
			verify(t)
			addr := serve(t, (&Store{}).Handle)
			hc := &HostClient{Addr: addr}
			defer hc.CloseIdleConnections()
			for range 300 {
				got, err := hc.Do(c.req)
				if err != nil {
					t.Fatal(err)
				}
				if c.req != "INCR a 5" && got != c.want {
					t.Fatalf("%s = %q, want %q", c.req, got, c.want)
				}
			}
		})
	}
}

// A slow server makes DoTimeout give up, and the request's goroutine is
// left blocked on its result: a real leak, every run.
func TestClientDoTimeout(t *testing.T) {
	verify(t)
	addr := serve(t, func(string) (string, error) {
		time.Sleep(30 * time.Millisecond)
		return "late", nil
	})
	hc := &HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	if _, err := hc.DoTimeout("GET a", 5*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("DoTimeout = %v, want ErrTimeout", err)
	}
	time.Sleep(40 * time.Millisecond) // let the late response come
}

func TestClientDoTimeoutInTime(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	hc := &HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	if got, err := hc.DoTimeout("INCR a 1", time.Second); err != nil || got != "1" {
		t.Fatalf("DoTimeout = %q, %v", got, err)
	}
}

// flaky serves a store, but answers the first request with an error when
// this run is unlucky.
func flaky(t *testing.T) Handler {
	var fail atomic.Bool
	fail.Store(unlucky(t))
	s := &Store{}
	return func(req string) (string, error) {
		if fail.CompareAndSwap(true, false) {
			return "", errors.New("busy")
		}
		return s.Handle(req)
	}
}

// One run in five the server is busy once, DoRetry retries, and its
// failure logger leaks.
func TestClientRetry(t *testing.T) {
	verify(t)
	addr := serve(t, flaky(t))
	hc := &HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	got, err := hc.DoRetry("INCR a 1", 3)
	if err != nil || got != "1" {
		t.Fatalf("DoRetry = %q, %v", got, err)
	}
}

// One run in five the first response is an error, the test stops reading
// there, and the prefetcher leaks, blocked on the next response.
func TestClientPrefetch(t *testing.T) {
	verify(t)
	addr := serve(t, flaky(t))
	hc := &HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	n := 0
	for resp := range hc.Prefetch([]string{"a", "b", "c", "d"}) {
		if strings.HasPrefix(resp, "ERR") {
			break
		}
		n++
	}
	if n != 0 && n != 4 {
		t.Fatalf("%d responses", n)
	}
}

func TestClientDialError(t *testing.T) {
	verify(t)
	hc := &HostClient{Addr: "127.0.0.1:1"}
	if _, err := hc.Do("GET a"); err == nil {
		t.Fatal("no error dialing a closed port")
	}
}

// A clean test, but for the new leak the end-to-end tests add.
func TestClientReuse(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	hc := &HostClient{Addr: addr}
	defer hc.CloseIdleConnections()
	for range 1000 {
		if _, err := hc.Do("INCR a 1"); err != nil {
			t.Fatal(err)
		}
	}
	if os.Getenv("E2E_NEW_LEAK") != "" {
		never := make(chan string)
		go func() { <-never }() // a new kind of leak
	}
}
