package leakysuite

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
)

// The pipeline's writer exits when its idle timer fires, a second after
// the last request; its reader with it.
func TestPipeline(t *testing.T) {
	for _, n := range []int{1, 10, 100, 1000, 3000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			verify(t)
			addr := serve(t, (&Store{}).Handle)
			pc := &PipelineClient{Addr: addr}
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := pc.Do(fmt.Sprintf("INCR k%d 1", i%7)); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			got, err := pc.Do("GET k0")
			if err != nil {
				t.Fatal(err)
			}
			if want := strconv.Itoa((n + 6) / 7); got != want {
				t.Fatalf("GET k0 = %s, want %s", got, want)
			}
		})
	}
}

func TestPipelineOrder(t *testing.T) {
	verify(t)
	addr := serve(t, (&Store{}).Handle)
	pc := &PipelineClient{Addr: addr}
	for i := 1; i <= 1000; i++ {
		got, err := pc.Do("INCR seq 1")
		if err != nil || got != strconv.Itoa(i) {
			t.Fatalf("INCR #%d = %q, %v", i, got, err)
		}
	}
}
