// Command crashes dies the ways the runtime reports with a goroutine
// dump, a fixture for the leakcheck command:
//
//	go run ./cmd/leakcheck/testdata/crashes deadlock     # fatal error: all goroutines are asleep - deadlock!
//	go run ./cmd/leakcheck/testdata/crashes mapwrites    # fatal error: concurrent map writes
//	go run ./cmd/leakcheck/testdata/crashes nilmap       # panic: assignment to entry in nil map
package main

import (
	"fmt"
	"os"
	"sync"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crashes deadlock|mapwrites|nilmap")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "deadlock":
		deadlock()
	case "mapwrites":
		mapWrites()
	case "nilmap":
		var m map[string]int
		m["x"] = 1
	}
}

// deadlock waits for workers that send results nobody receives.
func deadlock() {
	results := make(chan int)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go produce(results, i, &wg)
	}
	wg.Wait()
	close(results)
}

func produce(results chan<- int, i int, wg *sync.WaitGroup) {
	defer wg.Done()
	results <- i * i
}

// mapWrites writes one map from many goroutines without a lock.
func mapWrites() {
	m := make(map[int]int)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				m[i%1000] = w
			}
		}()
	}
	wg.Wait()
}
