package leakcheck

import "testing"

// publishLeaks writes the machine-readable forms of a failing verdict and
// returns text to append to the human report (such as where a profile
// was written). t is nil for VerifyTestMain and Find.
func publishLeaks(t testing.TB, subject string, v verdict) string {
	return ""
}
