package dotimport // want package:"goleakUser"

import (
	"testing"

	. "go.uber.org/goleak" // want `dot import of goleak: import it by name \(go.uber.org/goleak\), then run again`
)

func TestDot(t *testing.T) {
	defer VerifyNone(t)
}
