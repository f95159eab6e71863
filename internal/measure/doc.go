// Package measure measures the memory the leaks of a failing check hold:
// in a heap dump of the process (internal/heapdump), or, once the
// runtime has proven goroutines of the process leaked, which rules that
// dump out, in a rerun of the failing test in a new process, which
// publishes the figures itself. The check's side of a rerun (its
// ownership rules, singletons and grouping, run again) comes in as a
// Finder that internal/check makes.
package measure
