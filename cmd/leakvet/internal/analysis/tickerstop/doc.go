// Package tickerstop defines an Analyzer that reports tickers nobody can
// stop.
//
// # Analyzer tickerstop
//
// tickerstop: report tickers that are never stopped, in code built for Go before 1.23
//
// Before Go 1.23 the runtime never frees a ticker that is not stopped:
// every call of a function that makes one leaks a ticker that fires
// forever. The analyzer reports, in files whose Go version is older than
// go1.23:
//
//   - time.Tick, whose ticker cannot be stopped, outside tests and loops
//     that never end;
//   - time.NewTicker assigned to a local variable whose Stop method is
//     never mentioned in the function that made it, or whose result is
//     dropped or only used for its channel.
//
// Neither is reported where a ticker for the life of the process is
// intended: in non-test code of main packages, in init functions and
// package variables, and under sync.Once.
//
// A ticker that leaves the function (returned, passed to a function,
// stored in a field, a map or another variable) has a new owner who may
// stop it, and is not reported.
//
//	t := time.NewTicker(time.Second) // want a t.Stop()
//	for range t.C { ... }
//
// The fix is "defer t.Stop()" right after NewTicker.
//
// Since Go 1.23 the garbage collector frees tickers that are no longer
// referenced, stopped or not, so for newer code there is no leak to
// report; the goroutine ranging over a ticker forever is a leak in any
// version, and the foreverloop analyzer reports it. The flag
// -tickerstop.allversions reports unstopped tickers in every version,
// for those who want Stop called as a matter of style.
package tickerstop
