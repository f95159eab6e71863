package heapdump

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system:
// on a shared machine it tells the work done from the waiting.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// A benchNode is a small pointerful object: 64 bytes, two pointers.
type benchNode struct {
	next, other *benchNode
	_           [48]byte
}

// benchHeap holds about size bytes: buffers of 64 KiB (no pointers) for
// the fraction bufFrac of it, 64-byte nodes linked in a list with a
// cross pointer each for the rest.
type benchHeap struct {
	bufs [][]byte
	head *benchNode
}

func newBenchHeap(size int, bufFrac float64) *benchHeap {
	h := &benchHeap{}
	nbuf := int(float64(size) * bufFrac / (64 << 10))
	for range nbuf {
		h.bufs = append(h.bufs, make([]byte, 64<<10))
	}
	var prev *benchNode
	for i := range (size - nbuf*64<<10) / 64 {
		n := &benchNode{next: h.head, other: prev}
		if i%7 == 0 {
			prev = n
		}
		h.head = n
	}
	return h
}

// BenchmarkCaptureMeasure captures a heap dump and measures it, with the
// whole benchmark heap held by one leaked goroutine (the worst case: the
// group marks everything). It reports the dump size and the two steps'
// times besides the total.
func BenchmarkCaptureMeasure(b *testing.B) {
	for _, bc := range []struct {
		name    string
		size    int
		bufFrac float64
	}{
		{"mixed/10MiB", 10 << 20, 0.5},
		{"mixed/100MiB", 100 << 20, 0.5},
		{"mixed/1GiB", 1 << 30, 0.5},
		{"buffers/100MiB", 100 << 20, 1},
		{"nodes/100MiB", 100 << 20, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if bc.size >= 1<<30 && testing.Short() {
				b.Skip("1 GiB heap under -short")
			}
			id, stop := make(chan uint64), make(chan struct{})
			defer close(stop) // free the heap for the next benchmark
			go func() {
				h := newBenchHeap(bc.size, bc.bufFrac)
				id <- goid()
				<-stop
				runtime.KeepAlive(h)
			}()
			groups := [][]uint64{{<-id}}
			dir := b.TempDir()
			var capture, measure, captureCPU, measureCPU time.Duration
			var dumpBytes int64
			var heapBytes uint64
			_, estBytes, estTime := Estimate()
			b.ResetTimer()
			b.ResetTimer()
			for range b.N {
				c0, t0 := cpuTime(), time.Now()
				path, err := Capture(dir)
				if err != nil {
					b.Fatal(err)
				}
				c1, t1 := cpuTime(), time.Now()
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				r, err := Measure(f, groups)
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				capture += t1.Sub(t0)
				measure += time.Since(t1)
				captureCPU += c1 - c0
				measureCPU += cpuTime() - c1
				st, err := os.Stat(path)
				if err != nil {
					b.Fatal(err)
				}
				dumpBytes = st.Size()
				heapBytes = r.Groups[0].RetainedHeapBytes
				os.Remove(path)
			}
			n := float64(b.N)
			b.ReportMetric(float64(capture.Nanoseconds())/n, "capture-ns/op")
			b.ReportMetric(float64(measure.Nanoseconds())/n, "measure-ns/op")
			b.ReportMetric(float64(captureCPU.Nanoseconds())/n, "capture-cpu-ns/op")
			b.ReportMetric(float64(measureCPU.Nanoseconds())/n, "measure-cpu-ns/op")
			b.ReportMetric(float64(dumpBytes), "dump-B")
			b.ReportMetric(float64(dumpBytes)/float64(heapBytes), "dump/heap")
			b.ReportMetric(float64(estBytes)/float64(dumpBytes), "est/dump")
			b.ReportMetric(float64(estTime.Nanoseconds())/(float64(captureCPU.Nanoseconds()+measureCPU.Nanoseconds())/n), "est/cpu")
		})
	}
}
