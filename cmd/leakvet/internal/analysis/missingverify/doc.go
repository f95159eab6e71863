// Package missingverify defines an Analyzer that suggests leak checks for
// test packages that start goroutines.
//
// # Analyzer missingverify
//
// missingverify: suggest leakcheck.VerifyTestMain for tests that start goroutines but never check for leaks
//
// Goroutines started by a test, or by the code it calls, should end with
// it; leakcheck.Verify and leakcheck.VerifyTestMain make a test fail when
// they do not. The analyzer reports a package's tests when
//
//   - a test file starts a goroutine (a go statement, sync.WaitGroup.Go,
//     errgroup.Group.Go), or calls a function or method of the package
//     under test that does (directly, or through other functions of that
//     package), and
//   - no test file of the package, internal (package p) or external
//     (package p_test), calls leakcheck.Verify or
//     leakcheck.VerifyTestMain, goleak's VerifyNone or VerifyTestMain, or
//     runtime.Stack(buf, true), the usual heart of a home-grown check.
//
// The diagnostic sits on the first such go statement or call. Where the
// package has no TestMain, its suggested fix adds one to that file:
//
//	func TestMain(m *testing.M) {
//		leakcheck.VerifyTestMain(m)
//	}
//
// Where a TestMain exists, the message asks to call VerifyTestMain from
// it instead of m.Run, and there is no fix. Internal and external tests
// share one test binary, which is reported once: by the internal tests
// if they have a go statement of their own, else by the external tests.
//
// Goroutines started through other packages (an http.Server, a gRPC
// client) are not followed: the analyzer means to be right when it
// speaks, not to speak whenever it could.
package missingverify
