//go:build go1.21

package old

import (
	"context"
	"time"
)

func work() {}

// Positive cases.

func tick(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.Tick(time.Second): // want `time.Tick leaks its ticker once the caller stops receiving`
			work()
		}
	}
}

func rangeTickWithReturn(ctx context.Context) {
	for range time.Tick(time.Second) { // want `time.Tick leaks its ticker`
		if ctx.Err() != nil {
			return
		}
	}
}

func neverStopped(ctx context.Context) {
	t := time.NewTicker(time.Second) // want `ticker t is never stopped .*: add defer t.Stop\(\)`
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			t.Reset(2 * time.Second)
		}
	}
}

func varDecl(ctx context.Context) {
	var t = time.NewTicker(time.Second) // want `ticker t is never stopped`
	<-t.C
}

func channelOnly() {
	c := time.NewTicker(time.Second).C // want `only used for its channel`
	<-c
}

func dropped() {
	time.NewTicker(time.Second)     // want `dropped and can never be stopped`
	_ = time.NewTicker(time.Second) // want `dropped and can never be stopped`
}

func inClosure(ctx context.Context) {
	go func() {
		t := time.NewTicker(time.Second) // want `ticker t is never stopped`
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}()
}

// Negative cases.

func deferStop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	<-t.C
}

func stopInClosure(ctx context.Context) {
	t := time.NewTicker(time.Second)
	go func() {
		<-ctx.Done()
		t.Stop()
	}()
	<-t.C
}

func stopAsValue(cleanup func(func())) {
	t := time.NewTicker(time.Second)
	cleanup(t.Stop)
}

func returned() *time.Ticker {
	return time.NewTicker(time.Second)
}

func returnedVar() *time.Ticker {
	t := time.NewTicker(time.Second)
	return t
}

type poller struct{ ticker *time.Ticker }

func (p *poller) start() {
	p.ticker = time.NewTicker(time.Second)
}

func newPoller() *poller {
	return &poller{ticker: time.NewTicker(time.Second)}
}

func passedOn(run func(*time.Ticker)) {
	t := time.NewTicker(time.Second)
	run(t)
}

func storedLater(p *poller) {
	t := time.NewTicker(time.Second)
	p.ticker = t
}

var pkgTicker = time.NewTicker(time.Minute)

func endlessTick() {
	for range time.Tick(time.Minute) { // never returns: the ticker lives as long as the loop
		work()
	}
}

func init() {
	go func() {
		for range time.Tick(time.Second) {
			if pkgTicker == nil {
				return
			}
		}
	}()
}

func timer() {
	t := time.NewTimer(time.Second) // a timer fires once; not this analyzer's business
	<-t.C
}

func namedResult() (t *time.Ticker) {
	t = time.NewTicker(time.Second)
	return // the caller owns it
}

func namedResultInClosure() func() *time.Ticker {
	return func() (t *time.Ticker) {
		t = time.NewTicker(time.Second)
		return
	}
}

func assignedInClosure() {
	var t *time.Ticker
	func() {
		t = time.NewTicker(time.Second) // want `ticker t is never stopped`
	}()
	<-t.C
}
