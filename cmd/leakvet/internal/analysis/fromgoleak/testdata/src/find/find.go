package find // want package:"goleakUser"

import "go.uber.org/goleak"

var base = []goleak.Option{goleak.IgnoreTopFunction("a.b"), goleak.IgnoreCurrent()} // want `goleak.Option becomes leakcheck.Option; goleak.IgnoreTopFunction becomes leakcheck.IgnoreTopFunction; goleak.IgnoreCurrent becomes leakcheck.IgnoreCurrent`

// Options returns the options of every check.
func Options(extra ...goleak.Option) []goleak.Option { // want `goleak.Option becomes leakcheck.Option`
	return append(base, extra...)
}

// Harness runs a package's tests.
type Harness struct {
	M    goleak.TestingM // want `goleak.TestingM becomes leakcheck.TestingM; goleak.Option becomes leakcheck.Option`
	Opts []goleak.Option
}

// Check looks for leaks.
func (h *Harness) Check() error {
	return goleak.Find(append(h.Opts, goleak.IgnoreAnyFunction("c.d"))...) // want `goleak.Find becomes leakcheck.Find`
}
