// Package harness is another module's test harness, with goleak options
// its users pass on.
package harness

import "go.uber.org/goleak"

// Options are the options of every check of a service under test.
var Options = []goleak.Option{goleak.IgnoreTopFunction("example.com/harness.loop")}
