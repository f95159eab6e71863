package a

import (
	"context"
	"errors"
)

type span struct{ n int }

func split(ctx context.Context, out chan span) {
	for i := 0; i < 10; i++ {
		out <- span{i} // want "send blocks forever once `restore` returns at a.go:27 from its loop over the channel without draining it"
	}
}

// The consumer returns on cancellation; the producer, sending in a loop
// through split, is left blocked: the shape of cockroach#18101.
func restore(ctx context.Context) error {
	ch := make(chan span, 6)
	go func() {
		defer close(ch)
		split(ctx, ch)
	}()
	for s := range ch {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		_ = s
	}
	return nil
}

// The same with the loop in the goroutine and an error.
func ingest(items []int) error {
	ch := make(chan int)
	go func() {
		for _, it := range items {
			ch <- it // want "send blocks forever once `ingest` returns at a.go:46"
		}
		close(ch)
	}()
	for v := range ch {
		if v < 0 {
			return errors.New("negative")
		}
	}
	return nil
}

// Quiet: the producer stops with the consumer.
func stoppable(ctx context.Context, items []int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, it := range items {
			select {
			case ch <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	for v := range ch {
		if v < 0 {
			return errors.New("negative")
		}
	}
	return nil
}

// Quiet: the consumer reads to the end.
func drained(items []int) int {
	ch := make(chan int)
	go func() {
		for _, it := range items {
			ch <- it
		}
		close(ch)
	}()
	sum := 0
	for v := range ch {
		sum += v
	}
	return sum
}

// Quiet: one send fits the buffer.
func single(ctx context.Context) error {
	ch := make(chan int, 1)
	go func() { ch <- 1 }()
	for v := range ch {
		if v > 0 {
			return nil
		}
	}
	return nil
}

// Quiet: the channel is handed to someone else, who may read it.
func handed(items []int, sink func(chan int)) error {
	ch := make(chan int)
	go func() {
		for _, it := range items {
			ch <- it
		}
	}()
	sink(ch)
	for v := range ch {
		if v < 0 {
			return errors.New("negative")
		}
	}
	return nil
}
