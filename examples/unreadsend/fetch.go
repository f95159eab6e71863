package unreadsend

import (
	"errors"
	"time"
)

// ErrTimeout is returned when the fetch takes longer than allowed.
var ErrTimeout = errors.New("fetch timed out")

// FetchFirst returns the result of fetch, or ErrTimeout if it takes
// longer than timeout.
//
// Bug: after a timeout, the goroutine running fetch blocks forever on
// its send, since nobody receives from results any more.
func FetchFirst(timeout time.Duration, fetch func() string) (string, error) {
	results := make(chan string)
	go func() {
		results <- fetch()
	}()
	select {
	case r := <-results:
		return r, nil
	case <-time.After(timeout):
		return "", ErrTimeout
	}
}

// FetchFirstFixed is FetchFirst without the leak: the buffered channel
// holds the late result, so the goroutine always exits.
func FetchFirstFixed(timeout time.Duration, fetch func() string) (string, error) {
	results := make(chan string, 1)
	go func() {
		results <- fetch()
	}()
	select {
	case r := <-results:
		return r, nil
	case <-time.After(timeout):
		return "", ErrTimeout
	}
}
