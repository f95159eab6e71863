// Package testifysuite shows leakcheck in a testify suite
// (github.com/stretchr/testify/suite), with a cache whose Close forgets
// to stop its background janitor.
//
// Per test: call leakcheck.Verify(s.T()) in SetupTest. Testify runs
// SetupTest, the test method and TearDownTest on the test's own
// goroutine with s.T() set to that test's *testing.T, so Verify owns
// every goroutine the method starts, and checks after TearDownTest and
// the test's Cleanup functions. SetupSubTest does the same for the
// subtests of s.Run. A leak fails the test method that caused it, named
// as "TestXxxSuite/TestMethod".
//
// Per suite: call leakcheck.Verify(s.T()) in SetupSuite, or
// leakcheck.Verify(t) in the TestXxxSuite function before suite.Run. The
// check runs once, after TearDownSuite, and fails TestXxxSuite for any
// goroutine started by the suite's setup or its tests. Used together,
// each leak is reported once, by the test method that started it.
//
// The fix in the example: CloseFixed tells the janitor to stop and waits
// until it has returned.
package testifysuite
