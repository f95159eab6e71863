// Package lateadd defines an Analyzer that reports a WaitGroup.Add made
// inside the goroutine it counts, racing the Wait that was to wait for
// it.
//
// # Analyzer lateadd
//
// lateadd: report WaitGroup.Add inside the goroutine it counts
//
// A WaitGroup counts goroutines only from the moment Add runs. When the
// goroutine makes the Add itself, the starter's Wait can run first, see
// a count of zero and return while the goroutine still works (its
// results not yet there, its resources closed under it); if the group is
// then reused, Add races the next Wait, which the sync package reports
// with a panic, and a Wait that counted the Add but not its Done blocks:
//
//	for _, job := range jobs {
//		go func() {
//			wg.Add(1) // races wg.Wait below: call Add before the go statement
//			defer wg.Done()
//			run(job)
//		}()
//	}
//	wg.Wait()
//
// The Add is found in a function literal started by a go statement, or
// in a function of the package started by one and given the group (go
// worker(&wg)), anywhere in its body outside nested function literals,
// when that body also calls Done on the group in a statement of its own
// (deferred or not, outside any branch) and starts nothing after the Add
// (no go statement, no function literal): an Add followed by the start
// of another goroutine counts that one.
// It is reported when the function that starts the goroutine also waits
// on the group after the go statement, or, for a group kept in a struct
// field, when the package waits on that field; and not when the starter
// adds to the group before the go statement, since the goroutine is then
// counted already and may add for goroutines of its own. When the Add is
// the first statement of a function literal, the suggested fix moves it
// before the go statement.
//
// go vet's waitgroup check (on by default since Go 1.25) reports the Add
// that is the first statement of a go statement's function literal; a
// run of go vet -vettool=leakvet replaces vet's checks, and lateadd
// reports that shape too, with the Wait it races.
package lateadd
