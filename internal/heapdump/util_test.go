package heapdump

import (
	"fmt"
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

func mib(b uint64) string { return fmt.Sprintf("%.3f MiB", float64(b)/(1<<20)) }

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
