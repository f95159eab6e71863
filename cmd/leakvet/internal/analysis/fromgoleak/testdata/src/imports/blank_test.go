package imports // want package:"goleakUser"

import (
	_ "go.uber.org/goleak" // want `the blank import of goleak goes`
)
