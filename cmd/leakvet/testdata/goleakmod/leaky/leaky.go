// Package leaky has a function that leaks a goroutine.
package leaky

// Send sends v to a goroutine that nobody waits for.
func Send(v int) {
	ch := make(chan int)
	go func() { ch <- v }()
}
