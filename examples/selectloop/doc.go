// Package selectloop shows a goroutine leaked by a for-select loop that
// has no way out.
//
// A Hub runs a goroutine that serves subscriptions and publications in a
// "for { select { ... } }" loop. No case returns, so the goroutine lives
// as long as the program, even after every user of the Hub is gone.
//
// The fix is a way to stop: a Close method that closes a quit channel,
// a select case that returns on it, and a wait for the loop to finish so
// that Close returns only when the goroutine has.
package selectloop
