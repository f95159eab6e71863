// Package variant uses goleak in a non-test file and in tests that // want package:"goleakUser"
// cannot be translated: the test variant, which has both, reports.
package variant

import "go.uber.org/goleak"

// Opts are the options of every check.
var Opts = []goleak.Option{goleak.IgnoreCurrent()}
