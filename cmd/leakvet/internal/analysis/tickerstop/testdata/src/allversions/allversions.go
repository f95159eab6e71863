//go:build go1.23

package allversions

import "time"

func neverStopped() {
	t := time.NewTicker(time.Second) // want `ticker t is never stopped`
	<-t.C
}

func stopped() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	<-t.C
}
