package leakysuite

import (
	"sync"
	"sync/atomic"
	"time"
)

// dateRefresh is how often the cached server date is refreshed.
const dateRefresh = 100 * time.Millisecond

var (
	serverDate     atomic.Value // string
	dateUpdateOnce sync.Once
)

// startDateUpdater starts, on first use, the process-wide loop that keeps
// the server date fresh; it runs as long as the process.
func startDateUpdater() {
	dateUpdateOnce.Do(func() {
		refreshServerDate()
		go func() {
			for {
				time.Sleep(dateRefresh)
				refreshServerDate()
			}
		}()
	})
}

func refreshServerDate() {
	serverDate.Store(time.Now().UTC().Format(time.RFC1123))
}

// ServerDate returns the date servers put in their responses.
func ServerDate() string {
	startDateUpdater()
	return serverDate.Load().(string)
}
