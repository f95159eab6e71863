package leakysuite

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The client's cleaner and the pool's janitor exit at their next wake-up,
// up to a second after the test.
func TestServerRoundTrip(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	c := &HostClient{Addr: addr}
	defer c.CloseIdleConnections()
	for i := 1; i <= 2000; i++ {
		got, err := c.Do("INCR hits 1")
		if err != nil {
			t.Fatal(err)
		}
		if got != strconv.Itoa(i) {
			t.Fatalf("INCR #%d = %q", i, got)
		}
	}
}

func TestServerConcurrentClients(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &HostClient{Addr: addr}
			defer c.CloseIdleConnections()
			for range 300 {
				if _, err := c.Do(fmt.Sprintf("INCR k%d 1", i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// The client keeps its connection: the server's worker exits at its idle
// timeout, the client's cleaner when it finds the connection closed.
func TestServerIdleConnection(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	c := &HostClient{Addr: addr}
	if got, err := c.Do("REPEAT ab 3"); err != nil || got != "ababab" {
		t.Fatalf("REPEAT = %q, %v", got, err)
	}
}

func TestServerHandlerError(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	c := &HostClient{Addr: addr}
	defer c.CloseIdleConnections()
	got, err := c.Do("PUT a")
	if err != nil || got != `ERR bad request: "PUT a": unknown verb "PUT"` {
		t.Fatalf("PUT = %q, %v", got, err)
	}
}

// A test that never shuts its server down: a real leak (the accept loop,
// and the pool's janitor, which runs until the pool stops).
func TestServerNeverShutDown(t *testing.T) {
	verify(t)
	s := &Server{Handler: (&Store{}).Handle}
	addr, err := s.ListenAndServe()
	if err != nil {
		t.Fatal(err)
	}
	c := &HostClient{Addr: addr}
	defer c.CloseIdleConnections()
	if _, err := c.Do("GET a"); err != nil {
		t.Fatal(err)
	}
}

func TestServerRefusesAfterShutdown(t *testing.T) {
	verify(t)
	s := &Server{Handler: (&Store{}).Handle}
	addr, err := s.ListenAndServe()
	if err != nil {
		t.Fatal(err)
	}
	s.Shutdown()
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(time.Millisecond)
	}
	t.Fatal("still accepting after Shutdown")
}

func TestServerDate(t *testing.T) {
	verify(t)
	d := ServerDate()
	if _, err := time.Parse(time.RFC1123, d); err != nil {
		t.Fatal(err)
	}
}
