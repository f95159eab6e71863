// Fleetsvc is a Go service for leakcheck fleet's end-to-end tests: it
// exports its goroutine count with client_golang's default registry
// (go_goroutines on /metrics) and serves net/http/pprof, and behaves as
// -mode says:
//
//	steady  -load N clients keep N requests in flight against itself
//	bursty  bursts of up to -burst goroutines that end within a second
//	slow    leaks a goroutine every -every, blocked on a channel it keeps
//	        (the runtime cannot prove it)
//	proven  leaks a goroutine every -every, blocked on a channel nothing
//	        else holds (Go 1.27 proves it)
//
// -base N parks N workers on a shared channel, as a pool does; -life D
// ends the process after D (the test restarts it); -pprof=false serves
// no /debug/pprof/.
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "steady", "steady, bursty, slow or proven")
	every := flag.Duration("every", time.Second, "how often slow and proven leak")
	base := flag.Int("base", 20, "workers parked at start, as a pool")
	load := flag.Int("load", 8, "steady: requests kept in flight")
	burst := flag.Int("burst", 200, "bursty: most goroutines of a burst")
	life := flag.Duration("life", 0, "end the process after this long (0: never)")
	withPprof := flag.Bool("pprof", true, "serve net/http/pprof")
	flag.Parse()

	pool := make(chan func())
	for i := 0; i < *base; i++ {
		go worker(pool)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.Handler())
	if *withPprof {
		mux.Handle("/debug/pprof/", http.DefaultServeMux) // net/http/pprof's handlers
	}
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Duration(5+rand.Intn(20)) * time.Millisecond)
		fmt.Fprintln(w, "done")
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ln.Addr().String()) // the test reads the address
	go func() { log.Fatal(http.Serve(ln, mux)) }()
	if *life > 0 {
		time.AfterFunc(*life, func() { os.Exit(0) })
	}
	switch *mode {
	case "steady":
		for i := 0; i < *load; i++ {
			go client("http://" + ln.Addr().String() + "/work")
		}
	case "bursty":
		go bursts(*burst)
	case "slow":
		go leakEvery(*every, leakKept)
	case "proven":
		go leakEvery(*every, leakLost)
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
	select {}
}

// worker waits for work that never comes, as an idle pool's workers do.
func worker(pool chan func()) {
	for f := range pool {
		f()
	}
}

// client keeps one request in flight.
func client(url string) {
	c := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
		}
	}
}

// bursts starts bursts of short-lived goroutines at random times.
func bursts(most int) {
	for {
		n := rand.Intn(most)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(100+rand.Intn(600)) * time.Millisecond)
			}()
		}
		time.Sleep(time.Duration(200+rand.Intn(800)) * time.Millisecond)
	}
}

func leakEvery(every time.Duration, leak func()) {
	for range time.Tick(every) {
		leak()
	}
}

// kept holds the channels of leakKept's goroutines: reachable, so the
// runtime cannot prove them leaked, as with a leak through a map of
// pending requests.
var kept struct {
	sync.Mutex
	chans []chan int
}

func leakKept() {
	ch := make(chan int)
	kept.Lock()
	kept.chans = append(kept.chans, ch)
	kept.Unlock()
	go sendResult(ch)
}

func sendResult(ch chan int) { ch <- 1 }

// leakLost starts a goroutine that sends on a channel nobody else holds:
// the classic leak of a request that timed out, proven by Go 1.27.
func leakLost() {
	ch := make(chan int)
	go computeResult(ch)
}

func computeResult(ch chan int) { ch <- 42 }
