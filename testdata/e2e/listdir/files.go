// Package listdir serves the files of a directory, as a file server does,
// and leaves a goroutine behind per listing: a suite whose tests list
// their own package directory.
package listdir

import (
	"os"
	"sort"
)

var never = make(chan struct{})

// List returns the names in dir, and leaves a watcher behind that nothing
// stops (a leak the suite's baseline accepts).
func List(dir string) ([]string, error) {
	go watch()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

func watch() { <-never }
