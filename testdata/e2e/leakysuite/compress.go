package leakysuite

import (
	"bytes"
	"compress/flate"
	"runtime"
	"sync"
)

// Compress deflates data on a pool of workers started on first use, one
// per processor, that live as long as the process.
func Compress(data []byte) []byte {
	compressPool.Do(func() { compressOnWorker = newWorkerFunc(deflate) })
	w := &compressWork{in: data, done: make(chan struct{})}
	compressOnWorker(w)
	<-w.done
	return w.out
}

type compressWork struct {
	in, out []byte
	done    chan struct{}
}

var (
	compressPool     sync.Once
	compressOnWorker func(*compressWork)
)

func deflate(w *compressWork) {
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestSpeed)
	fw.Write(w.in)
	fw.Close()
	w.out = buf.Bytes()
	close(w.done)
}

// newWorkerFunc returns a function that hands its work to f on a worker
// of a pool it starts on first call.
func newWorkerFunc(f func(*compressWork)) func(*compressWork) {
	work := make(chan *compressWork, 64)
	var once sync.Once
	return func(w *compressWork) {
		once.Do(func() {
			for range runtime.GOMAXPROCS(0) {
				go funcWorker(work, f)
			}
		})
		work <- w
	}
}

func funcWorker(work <-chan *compressWork, f func(*compressWork)) {
	for w := range work {
		f(w)
	}
}
