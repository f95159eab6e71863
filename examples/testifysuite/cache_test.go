package testifysuite_test

import (
	"os"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
	"github.com/leakcheck/leakcheck/examples/testifysuite"
	"github.com/stretchr/testify/suite"
)

// cacheSuite checks every test for leaks: Verify in SetupTest (and in
// SetupSubTest for s.Run subtests) runs after TearDownTest.
type cacheSuite struct {
	suite.Suite
	close func(*testifysuite.Cache) // how TearDownTest closes the cache
	cache *testifysuite.Cache
}

func (s *cacheSuite) SetupTest() {
	leakcheck.Verify(s.T()) // s.T() is this test method's *testing.T
	s.cache = testifysuite.New(time.Millisecond)
}

func (s *cacheSuite) SetupSubTest() {
	leakcheck.Verify(s.T()) // s.T() is the subtest's *testing.T
}

func (s *cacheSuite) TearDownTest() {
	s.close(s.cache) // runs before the check
}

func (s *cacheSuite) TestGet() {
	s.cache.Set("k", "v", time.Hour)
	v, ok := s.cache.Get("k")
	s.Require().True(ok)
	s.Equal("v", v)
}

func (s *cacheSuite) TestExpiry() {
	s.Run("expired", func() {
		c := testifysuite.New(time.Millisecond)
		defer c.CloseFixed() // a subtest's own cache, closed in the subtest
		c.Set("k", "v", time.Millisecond)
		s.Eventually(func() bool { _, ok := c.Get("k"); return !ok }, time.Second, time.Millisecond)
	})
}

func TestFixedCacheSuite(t *testing.T) {
	suite.Run(t, &cacheSuite{close: (*testifysuite.Cache).CloseFixed})
}

func TestLeakyCacheSuite(t *testing.T) {
	if os.Getenv("LEAKCHECK_DEMO") == "" {
		t.Skip("shows a leak; run with LEAKCHECK_DEMO=1 to see leakcheck fail it")
	}
	// Each test method fails on its own, e.g. TestLeakyCacheSuite/TestGet,
	// naming the janitor that Close left running.
	suite.Run(t, &cacheSuite{close: (*testifysuite.Cache).Close})
}

// wideSuite checks the whole suite once: Verify in SetupSuite runs after
// TearDownSuite, and owns what the suite's setup and tests start.
type wideSuite struct {
	suite.Suite
	shared *testifysuite.Cache // one cache for all the tests
}

func (s *wideSuite) SetupSuite() {
	leakcheck.Verify(s.T()) // s.T() is TestCacheSuiteWide's *testing.T here
	s.shared = testifysuite.New(time.Millisecond)
}

func (s *wideSuite) TearDownSuite() {
	s.shared.CloseFixed()
}

func (s *wideSuite) TestSet() {
	s.shared.Set("a", "1", time.Hour)
	_, ok := s.shared.Get("a")
	s.True(ok)
}

func TestCacheSuiteWide(t *testing.T) {
	// Equivalent: leakcheck.Verify(t) here, before suite.Run.
	suite.Run(t, new(wideSuite))
}
