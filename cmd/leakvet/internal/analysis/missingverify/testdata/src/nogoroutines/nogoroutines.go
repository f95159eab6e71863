package nogoroutines

// Double starts nothing.
func Double(n int) int { return 2 * n }

func unused() { go func() {}() } // want unused:"startsGoroutines"
