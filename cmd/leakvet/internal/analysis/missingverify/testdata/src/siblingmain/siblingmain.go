package siblingmain

// Run starts a goroutine.
func Run() { go func() {}() } // want Run:"startsGoroutines"
