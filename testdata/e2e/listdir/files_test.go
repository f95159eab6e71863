package listdir

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leakcheck/leakcheck"
)

func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m, leakcheck.MaxWait(200*time.Millisecond))
}

// TestListsItsDirectory serves its package directory and expects exactly
// the package's files there, as a file server's tests do.
func TestListsItsDirectory(t *testing.T) {
	leakcheck.Verify(t)
	names, err := List(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".go") && name != "testdata" {
			t.Errorf("the package directory holds %s, which the server now serves", name)
		}
	}
}

// TestNewLeak leaks a kind no baseline knows when E2E_NEW_LEAK is set.
func TestNewLeak(t *testing.T) {
	leakcheck.Verify(t)
	if os.Getenv("E2E_NEW_LEAK") != "" {
		go func() { <-never }()
	}
}
