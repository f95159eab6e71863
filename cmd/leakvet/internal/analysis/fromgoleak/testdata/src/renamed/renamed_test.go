package renamed // want package:"goleakUser"

import (
	"testing"

	gl "go.uber.org/goleak"
)

func TestRenamed(t *testing.T) {
	defer gl.VerifyNone(t, gl.IgnoreCurrent()) // want `deferred goleak.VerifyNone becomes leakcheck.Verify as the first statement of TestRenamed`
}

func helper() gl.Option { return gl.IgnoreTopFunction("a.b") } // want `goleak.Option becomes leakcheck.Option` `goleak.IgnoreTopFunction becomes leakcheck.IgnoreTopFunction`
