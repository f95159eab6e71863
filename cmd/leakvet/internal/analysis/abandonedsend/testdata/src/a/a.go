package a

import (
	"context"
	"errors"
	"time"
)

type result struct{ n int }

func fetch() result        { return result{} }
func fetchErr() error      { return nil }
func validate(string) bool { return true }

// Positive cases: some path returns without receiving.

func timeout(ctx context.Context) (result, error) {
	ch := make(chan result)
	go func() {
		ch <- fetch() // want `send on unbuffered channel ch blocks forever if the function returns at line 26 without receiving`
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func earlyError(name string) (result, error) {
	ch := make(chan result, 0)
	go func() { ch <- fetch() }() // want `send on unbuffered channel ch blocks forever if the function returns at line 34`
	if !validate(name) {
		return result{}, errors.New("invalid name")
	}
	return <-ch, nil
}

func afterTimer() error {
	errc := make(chan error)
	go func() {
		errc <- fetchErr() // want `send on unbuffered channel errc`
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Second):
		return errors.New("timed out")
	}
}

func nobodyReceives() {
	done := make(chan bool)
	go func() {
		fetch()
		done <- true // want `send on unbuffered channel done blocks forever if the function returns at line 58`
	}()
}

func selectDefault() (result, bool) {
	var ch = make(chan result)
	go func() { ch <- fetch() }() // want `send on unbuffered channel ch`
	select {
	case r := <-ch:
		return r, true
	default:
		return result{}, false
	}
}

func twoSendsNoFix(ctx context.Context) {
	ch := make(chan int)
	go func() {
		ch <- 1 // want `send on unbuffered channel ch`
		ch <- 2
	}()
	select {
	case <-ch:
		<-ch
	case <-ctx.Done():
	}
}

// Negative cases.

func buffered(ctx context.Context) (result, error) {
	ch := make(chan result, 1)
	go func() { ch <- fetch() }()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func receivedOnAllPaths(name string) (result, error) {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	r := <-ch
	if !validate(name) {
		return result{}, errors.New("invalid name")
	}
	return r, nil
}

func receivedInBothBranches(name string) result {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	if validate(name) {
		return <-ch
	}
	r := <-ch
	r.n++
	return r
}

func senderSelects(ctx context.Context) (result, error) {
	ch := make(chan result)
	go func() {
		select {
		case ch <- fetch():
		case <-ctx.Done():
		}
	}()
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

func rangeReceives() int {
	ch := make(chan int)
	go func() {
		for i := 0; i < 3; i++ {
			ch <- i
		}
		close(ch)
	}()
	sum := 0
	for n := range ch {
		sum += n
	}
	return sum
}

func escapes(ctx context.Context, consume func(chan result)) {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	consume(ch)
}

func deferredReceive(name string) error {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	defer func() { <-ch }()
	if !validate(name) {
		return errors.New("invalid name")
	}
	return nil
}

func goroutineInLoop(names []string) error {
	ch := make(chan result)
	for range names {
		go func() { ch <- fetch() }() // several senders: beyond the simple shape
	}
	for range names {
		<-ch
	}
	return nil
}

func panicsInstead(name string) result {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	if !validate(name) {
		panic("invalid name")
	}
	return <-ch
}

func loopUntilReceived() result {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	for {
		select {
		case r := <-ch:
			return r
		case <-time.After(time.Second):
			// log and keep waiting
		}
	}
}

func receiverInAnotherGoroutine() {
	ch := make(chan result)
	go func() { ch <- fetch() }()
	go func() { <-ch }()
}

func constantLoop() {
	const n = 10
	c := make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			c <- i
		}
	}()
	for i := 0; i < n; i++ {
		<-c
	}
}

func rangeConstant() {
	c := make(chan int)
	go func() {
		for i := range 3 {
			c <- i
		}
	}()
	for range 3 {
		<-c
	}
}

func loopMaySkip(n int) {
	c := make(chan int)
	go func() {
		c <- 1 // want `send on unbuffered channel c`
	}()
	for i := 0; i < n; i++ {
		<-c
	}
}

func retriesThenGivesUp() error {
	ch := make(chan error)
	go func() { ch <- fetchErr() }() // want `send on unbuffered channel ch blocks forever if the function returns at line \d+`
	for i := 0; i < 3; i++ {
		select {
		case err := <-ch:
			return err
		case <-time.After(time.Second):
		}
	}
	return errors.New("gave up")
}

var shared chan result

func packageChannel(ctx context.Context) {
	shared = make(chan result)
	go func() { shared <- fetch() }()
	select {
	case <-shared:
	case <-ctx.Done():
	}
}

func namedResult(ctx context.Context) (ch chan result) {
	ch = make(chan result)
	go func() { ch <- fetch() }()
	return // the caller receives
}

func captured(ctx context.Context) {
	var ch chan result
	func() {
		ch = make(chan result)
		go func() { ch <- fetch() }()
	}()
	<-ch
}

// A goroutine started each turn of a loop, on a channel of that turn
// (grpc#660): the stop case returns without receiving.
func closedLoop(stop chan bool) {
	for {
		done := make(chan bool)
		go func() {
			if validate("x") {
				done <- false // want `send on unbuffered channel done blocks forever if the function returns at line`
				return
			}
			done <- true
		}()
		select {
		case <-stop:
			return
		case <-done:
		}
	}
}

// Quiet: a channel made before the loop is shared by every turn's
// goroutine, a shape the check does not judge.
func sharedAcrossTurns(stop chan bool) {
	done := make(chan bool)
	for {
		go func() { done <- true }()
		select {
		case <-stop:
			return
		case <-done:
		}
	}
}

// Quiet: the loop returns once it has received from every goroutine.
func countedReceives(timeout <-chan struct{}) {
	serveCh := make(chan struct{})
	go func() {
		serveCh <- struct{}{}
	}()
	clientCh := make(chan struct{})
	go func() {
		clientCh <- struct{}{}
	}()
	done := 0
	for {
		select {
		case <-timeout:
			panic("too long")
		case <-serveCh:
			done++
		case <-clientCh:
			done++
		}
		if done == 2 {
			return
		}
	}
}

// A loop that gives up from one of its cases leaves the sender blocked.
func loopGivesUp(ctx context.Context) {
	ch := make(chan int)
	go func() {
		ch <- 1 // want "send on unbuffered channel ch blocks forever if the function returns at line [0-9]+ without receiving"
	}()
	for {
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// The sender is a function of the package given the channel.
func fetchInto(ch chan result) {
	ch <- fetch() // want "send on unbuffered channel ch blocks forever if the function returns at line [0-9]+ without receiving"
}

func namedSender(ctx context.Context) (result, error) {
	ch := make(chan result)
	go fetchInto(ch)
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

// Quiet: the function also hands the channel on.
func fetchAndRegister(ch chan result, register func(chan result)) {
	register(ch)
	ch <- fetch()
}

func namedSenderShared(ctx context.Context, register func(chan result)) (result, error) {
	ch := make(chan result)
	go fetchAndRegister(ch, register)
	select {
	case r := <-ch:
		return r, nil
	case <-ctx.Done():
		return result{}, ctx.Err()
	}
}

// Quiet: every path receives.
func namedSenderWaits() result {
	ch := make(chan result)
	go fetchInto(ch)
	return <-ch
}
