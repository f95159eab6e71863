package cleanupmain

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent(), goleak.Cleanup(func(code int) {
		fmt.Println("cleanup ran with", code)
		os.Exit(code)
	}))
}

func TestWork(t *testing.T) {
	if got := Work(); got != 42 {
		t.Fatalf("Work() = %d, want 42", got)
	}
}
