package bothcalls

import "testing"

// Not reported: no go statement here, so the external tests speak for
// the test binary.
func TestStartInternal(t *testing.T) {
	Start()
}
