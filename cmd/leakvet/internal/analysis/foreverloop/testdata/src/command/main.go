// Command command shows that a main package may run goroutines for the life
// of the process.
package main

import "time"

func report() {
	go func() {
		for range time.Tick(time.Second) {
		}
	}()
}

func main() {
	report()
	go func() {
		for {
			time.Sleep(time.Second)
		}
	}()
	select {}
}
