package imports

import "testing"
import "go.uber.org/goleak"

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) {})) // want `goleak.VerifyTestMain with goleak.Cleanup becomes`
}
