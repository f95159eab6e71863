// Package benchfuzz is run by leakcheck's end-to-end tests of Verify in
// benchmarks and fuzz targets: Benchmark*Leak* and Fuzz*Leak* must fail
// (for fuzz targets: the seed named in the e2e test), the others pass.
package benchfuzz

import (
	"testing"

	"github.com/leakcheck/leakcheck"
)

func send(ch chan int) { ch <- 1 }

// roundtrip starts a goroutine and waits for it: no leak.
func roundtrip() {
	ch := make(chan int)
	go send(ch)
	<-ch
}

func BenchmarkClean(b *testing.B) {
	leakcheck.Verify(b)
	b.ResetTimer() // Verify's own cost stays out of the measurement
	for range b.N {
		roundtrip()
	}
}

func BenchmarkLeak(b *testing.B) {
	leakcheck.Verify(b)
	for range b.N {
		go send(make(chan int))
	}
}

// Only the rounds after the first leak: the check runs after every round
// of the ramp, not only the first.
func BenchmarkLeakLaterRound(b *testing.B) {
	leakcheck.Verify(b)
	if b.N > 1 {
		go send(make(chan int))
	}
}

func BenchmarkSub(b *testing.B) {
	b.Run("Clean", func(b *testing.B) {
		leakcheck.Verify(b)
		for range b.N {
			roundtrip()
		}
	})
	b.Run("Leak", func(b *testing.B) {
		leakcheck.Verify(b)
		go send(make(chan int))
	})
}

func FuzzClean(f *testing.F) {
	leakcheck.Verify(f)
	f.Add(1)
	f.Add(2)
	f.Fuzz(func(t *testing.T, n int) {
		leakcheck.Verify(t)
		for range n % 4 {
			roundtrip()
		}
	})
}

// Verify(t) inside the fuzz function checks each input on its own: the
// input that leaks fails, as the seed "FuzzLeakPerInput/seed#1".
func FuzzLeakPerInput(f *testing.F) {
	f.Add(1)
	f.Add(2)
	f.Add(3)
	f.Fuzz(func(t *testing.T, n int) {
		leakcheck.Verify(t)
		if n == 2 {
			go send(make(chan int))
		}
	})
}

// Verify(f) checks once, after all inputs: the fuzz target fails as a
// whole.
func FuzzLeakOuter(f *testing.F) {
	leakcheck.Verify(f)
	f.Add(1)
	f.Add(2)
	f.Fuzz(func(t *testing.T, n int) {
		if n == 2 {
			go send(make(chan int))
		}
	})
}

// Both: the input's own check reports the leak, and the fuzz target's
// check does not report it again.
func FuzzLeakBoth(f *testing.F) {
	leakcheck.Verify(f)
	f.Add(1)
	f.Add(2)
	f.Fuzz(func(t *testing.T, n int) {
		leakcheck.Verify(t)
		if n == 2 {
			go send(make(chan int))
		}
	})
}
