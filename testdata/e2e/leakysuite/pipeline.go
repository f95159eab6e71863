package leakysuite

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"sync"
	"time"
)

// A PipelineClient sends requests over one connection without waiting
// for the responses of earlier ones. Its writer, started with the first
// request, exits once idle for MaxIdleConnDuration, and the reader with
// it.
type PipelineClient struct {
	Addr                string
	MaxIdleConnDuration time.Duration // DefaultMaxIdleConnDuration if zero

	mu   sync.Mutex
	reqs chan *pipelineRequest // nil while no writer runs
}

type pipelineRequest struct {
	line string
	done chan pipelineResult
}

type pipelineResult struct {
	resp string
	err  error
}

// maxPipelined bounds the requests queued for the writer.
const maxPipelined = 1024

// Do sends req and waits for its response.
func (pc *PipelineClient) Do(req string) (string, error) {
	r := &pipelineRequest{line: req, done: make(chan pipelineResult, 1)}
	pc.mu.Lock()
	if pc.reqs == nil {
		c, err := net.Dial("tcp", pc.Addr)
		if err != nil {
			pc.mu.Unlock()
			return "", err
		}
		pc.reqs = make(chan *pipelineRequest, maxPipelined)
		pending := make(chan *pipelineRequest, maxPipelined)
		go pc.writer(c, pc.reqs, pending)
		go pc.reader(c, pending)
	}
	pc.reqs <- r
	pc.mu.Unlock()
	res := <-r.done
	return res.resp, res.err
}

func (pc *PipelineClient) maxIdle() time.Duration {
	if pc.MaxIdleConnDuration > 0 {
		return pc.MaxIdleConnDuration
	}
	return DefaultMaxIdleConnDuration
}

// writer writes the requests in order and hands them to the reader; it
// exits when its idle timer fires with nothing queued.
func (pc *PipelineClient) writer(c net.Conn, reqs chan *pipelineRequest, pending chan<- *pipelineRequest) {
	defer close(pending)
	idle := time.NewTimer(pc.maxIdle())
	defer idle.Stop()
	w := bufio.NewWriter(c)
	for {
		select {
		case r := <-reqs:
			// Flush before waiting for the reader: it may be waiting for
			// the responses to what is still in the buffer.
			if len(pending) == cap(pending) && w.Flush() != nil {
				return
			}
			pending <- r
			w.WriteString(r.line + "\n")
			if len(reqs) == 0 && w.Flush() != nil {
				return
			}
			idle.Reset(pc.maxIdle())
		case <-idle.C:
			if pc.retire(reqs) {
				return
			}
			idle.Reset(pc.maxIdle())
		}
	}
}

// retire stops new requests from reaching reqs, unless some are queued
// or a Do is under way. It must not wait for the lock: a Do holds it while
// it blocks sending on a full reqs, which only this writer drains.
func (pc *PipelineClient) retire(reqs chan *pipelineRequest) bool {
	if !pc.mu.TryLock() {
		return false
	}
	defer pc.mu.Unlock()
	if len(reqs) > 0 {
		return false
	}
	pc.reqs = nil
	return true
}

// reader reads the responses in order, until the writer is gone and the
// last response read; then it closes the connection.
func (pc *PipelineClient) reader(c net.Conn, pending <-chan *pipelineRequest) {
	defer c.Close()
	r := bufio.NewReader(c)
	for req := range pending {
		line, err := r.ReadString('\n')
		if err != nil {
			req.done <- pipelineResult{err: errors.Join(errors.New("pipeline: read"), err)}
			continue
		}
		resp, _, _ := strings.Cut(line, "\t")
		req.done <- pipelineResult{resp: resp}
	}
}
