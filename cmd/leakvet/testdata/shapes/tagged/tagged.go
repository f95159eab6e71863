// Package tagged has its goleak check in a file behind a build tag.
package tagged
