package bothcalls

// Start starts a goroutine.
func Start() { go func() {}() } // want Start:"startsGoroutines"
