package runtimeread

import (
	"fmt"
	"os"
	"strings"
)

// Switch reads the environment variable name, which turns what on
// or off: "on", "1" or "true", like an empty or missing variable, mean
// on; "off", "0" or "false" mean off. Any other value is an error, and
// leaves it on, so that a typo never turns checking off.
func Switch(name, what string) (on bool, err error) {
	raw := os.Getenv(name)
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "", "on", "1", "true":
		return true, nil
	case "off", "0", "false":
		return false, nil
	default:
		return true, fmt.Errorf("leakcheck: %s=%q: use \"off\" to turn %s off, or \"on\"", name, raw, what)
	}
}
