package a

import "context"

// Commands waiting on their predecessors, one channel each in a slice;
// the goroutine that signals them gives up when the context ends, and
// the drain started on cancellation waits for signals that never come:
// the shape of cockroach#10790.
type replica struct{ prereqs []chan bool }

func newReplica(n int) *replica {
	r := &replica{}
	for i := 0; i < n; i++ {
		r.prereqs = append(r.prereqs, make(chan bool))
	}
	return r
}

func (r *replica) signal(ctx context.Context) {
	for _, ch := range r.prereqs {
		select {
		case ch <- true:
		case <-ctx.Done():
			return
		}
	}
}

func (r *replica) begin(ctx context.Context) {
	go r.signal(ctx)
	for _, ch := range r.prereqs {
		select {
		case <-ch:
		case <-ctx.Done():
			go func() {
				for _, ch := range r.prereqs {
					<-ch // want "receive from `replica.prereqs` blocks forever once `\\(\\*replica\\).signal`, its only sender, has returned \\(slices.go:24\\): select on what stops it too"
				}
			}()
			return
		}
	}
}

// Quiet: the slice is handed out; its channels may have other senders.
type handedSlice struct{ cs []chan int }

func newHandedSlice() *handedSlice     { return &handedSlice{cs: []chan int{make(chan int)}} }
func (h *handedSlice) all() []chan int { return h.cs }
func (h *handedSlice) wait()           { <-h.cs[0] }
func (h *handedSlice) run(stop chan struct{}) {
	for {
		select {
		case h.cs[0] <- 1:
		case <-stop:
			return
		}
	}
}
func (h *handedSlice) start(stop chan struct{}) { go h.run(stop) }
