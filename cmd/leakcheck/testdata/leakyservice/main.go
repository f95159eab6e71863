// Command leakyservice is a small HTTP service for the end-to-end tests
// of the leakcheck command: it serves net/http/pprof and leaks one
// goroutine per request to /leak, keeps a fixed pool of workers, and
// answers /work with short-lived goroutines that exit.
//
//	go run ./cmd/leakcheck/testdata/leakyservice -workers 20
//
// It listens on 127.0.0.1 on a free port and prints its base URL, e.g.
// "http://127.0.0.1:40123", as the first line of its standard output.
// -idle N parks N more goroutines on a channel reachable from a global,
// to give the profiles the size of a busy service.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/pprof"
	"strconv"
	"time"
)

var (
	workers = flag.Int("workers", 20, "goroutines in the fixed worker pool")
	idle    = flag.Int("idle", 0, "extra goroutines parked on a global channel")
	addr    = flag.String("addr", "127.0.0.1:0", "address to listen on")
)

// jobs feeds the worker pool; it is global, so the runtime cannot prove
// the idle workers leaked, and rightly so.
var jobs = make(chan func())

// parked holds the -idle goroutines.
var parked = make(chan struct{})

func main() {
	flag.Parse()
	for range *workers {
		go worker()
	}
	for range *idle {
		go park()
	}
	http.HandleFunc("/leak", leak)
	http.HandleFunc("/work", work)
	http.HandleFunc("/job", job)
	http.HandleFunc("/spawn", spawn)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	log.Fatal(http.Serve(ln, nil))
}

func worker() {
	for f := range jobs {
		f()
	}
}

func park() { <-parked }

// leak starts a goroutine that sends its result on a channel nobody will
// ever read: the handler "timed out" and returned. One leaked goroutine
// per request, labelled with the handler's name.
func leak(w http.ResponseWriter, r *http.Request) {
	pprof.Do(r.Context(), pprof.Labels("handler", "leak"), func(context.Context) {
		result := make(chan int)
		go compute(result)
	})
	fmt.Fprintln(w, "started")
}

func compute(result chan<- int) {
	result <- 42 // blocks forever: nobody receives
}

// work runs a short-lived goroutine and waits for it: healthy.
func work(w http.ResponseWriter, r *http.Request) {
	done := make(chan int, 1)
	go func() {
		time.Sleep(time.Millisecond)
		done <- 1
	}()
	fmt.Fprintln(w, <-done)
}

// job hands a job to the pool and waits for it.
func job(w http.ResponseWriter, r *http.Request) {
	done := make(chan struct{})
	jobs <- func() { close(done) }
	<-done
	fmt.Fprintln(w, "done")
}

// spawn parks n more goroutines (?n=1000).
func spawn(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 0 {
		http.Error(w, "bad n", http.StatusBadRequest)
		return
	}
	for range n {
		go park()
	}
	fmt.Fprintln(w, n)
}
