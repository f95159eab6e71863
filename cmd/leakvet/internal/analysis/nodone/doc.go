// Package nodone defines an Analyzer that reports a sync.WaitGroup
// waited on when nothing can ever call its Done.
//
// # Analyzer nodone
//
// nodone: report WaitGroup.Wait on a group nothing marks Done
//
// A WaitGroup counts work started with Add and finished with Done; Wait
// returns when the count is back at zero. When the package adds to a
// group and waits on it, but no code of the package ever calls its Done,
// the first Wait after an Add blocks forever (a task counter whose
// finishing call was never written, or was moved):
//
//	func (s *Stopper) StartTask() { s.drain.Add(1) }
//
//	func (s *Stopper) Stop() {
//		s.drain.Wait() // nothing calls s.drain.Done: blocks forever
//	}
//
// The check keeps to what it can see whole: a WaitGroup that is a local
// variable, or an unexported field of a struct of the package (only the
// package can reach it), used only by calls of its methods, directly or
// through closures and functions of the package it is passed to. Adds
// of a constant positive count only (an Add of a negative or unknown
// count may be a Done). A group passed elsewhere, stored, or copied is
// someone else's to finish, and is not judged.
//
// go vet's waitgroup check (on by default since Go 1.25) reports an Add
// made inside the goroutine it counts; nodone does not repeat it.
package nodone
