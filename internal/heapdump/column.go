package heapdump

// A column is an append-only sequence kept in blocks of colSize
// elements, so that growing it never copies: the reader learns how many
// objects and pointers a dump has only at its end, and copying slices
// that grow to gigabytes was a third of the time on a 1 GiB heap (with
// the garbage collections that the copies' garbage brought about).
type column[T any] struct {
	blocks [][]T
	n      int
}

const (
	colBits = 16
	colSize = 1 << colBits
)

func (c *column[T]) add(v T) {
	last := len(c.blocks) - 1
	if last < 0 || len(c.blocks[last]) == colSize {
		var b []T // the first block grows as usual: small dumps stay small
		if last >= 0 {
			b = make([]T, 0, colSize)
		}
		c.blocks = append(c.blocks, b)
		last++
	}
	c.blocks[last] = append(c.blocks[last], v)
	c.n++
}

func (c *column[T]) len() int { return c.n }

func (c *column[T]) at(i int) T { return c.blocks[i>>colBits][i&(colSize-1)] }

// segments calls fn with the elements [i, j), a block's part at a time.
func (c *column[T]) segments(i, j int, fn func([]T)) {
	for i < j {
		b := c.blocks[i>>colBits]
		k := i & (colSize - 1)
		n := min(j-i, len(b)-k)
		fn(b[k : k+n])
		i += n
	}
}
