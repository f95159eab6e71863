// Package optlib has the options of every check, for other packages. // want package:"goleakUser"
package optlib

import "go.uber.org/goleak"

// Options returns the options of every check.
func Options() []goleak.Option { // want `goleak.Option becomes leakcheck.Option`
	return []goleak.Option{goleak.IgnoreTopFunction("a.b")} // want `goleak.Option becomes leakcheck.Option; goleak.IgnoreTopFunction becomes leakcheck.IgnoreTopFunction`
}
