package siblingmain_test

import (
	"testing"

	lc "github.com/leakcheck/leakcheck"
	"siblingmain"
)

func TestMain(m *testing.M) {
	lc.VerifyTestMain(m)
}

func TestRunAgain(t *testing.T) {
	siblingmain.Run()
}
