// Command dotless prints a goroutine dump of a program whose module path
// has no dot ("distributed-kv"): 150 goroutines wait for a lock held
// forever. A fixture for the leakcheck command's end-to-end tests:
//
//	cd cmd/leakcheck/testdata/dotless && go run . > dump.txt
package main

import (
	"os"
	"runtime"
	"time"

	"distributed-kv/consensus"
)

func main() {
	var n consensus.Node
	n.Hold()
	for range 150 {
		go n.Propose()
	}
	// Let them block: a dump taken too early shows some runnable.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		if countBlocked(buf) == 150 {
			os.Stdout.Write(buf)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	os.Exit(1)
}

// countBlocked counts the goroutines of the dump waiting for a lock.
func countBlocked(dump []byte) int {
	n := 0
	for i := 0; i+len("[sync.Mutex.Lock]") <= len(dump); i++ {
		if string(dump[i:i+len("[sync.Mutex.Lock]")]) == "[sync.Mutex.Lock]" {
			n++
		}
	}
	return n
}
