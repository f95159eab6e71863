// Package cleanupmain has a TestMain with a cleanup function.
package cleanupmain

// Work starts a goroutine and waits for it.
func Work() int {
	ch := make(chan int)
	go func() { ch <- 42 }()
	return <-ch
}
