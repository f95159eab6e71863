package leakysuite

import (
	"strconv"
	"testing"
	"time"
)

// The cache's janitor exits once its entries expire, a second after the
// test set them; woken every millisecond, it is often caught running.
func TestCache(t *testing.T) {
	for _, n := range []int{10, 100, 1000, 2000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			verify(t)
			c := NewCache(time.Second)
			defer c.Close()
			for i := range n {
				c.Set("k"+strconv.Itoa(i), strconv.Itoa(i))
			}
			for i := range n {
				if v, ok := c.Get("k" + strconv.Itoa(i)); !ok || v != strconv.Itoa(i) {
					t.Fatalf("Get(k%d) = %q, %v", i, v, ok)
				}
			}
		})
	}
}

func TestCacheExpiry(t *testing.T) {
	verify(t)
	c := NewCache(20 * time.Millisecond)
	defer c.Close()
	c.Set("a", "1")
	time.Sleep(30 * time.Millisecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("an expired entry was returned")
	}
	c.Flush()
	deadline := time.Now().Add(time.Second)
	for c.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the janitor did not evict the entry")
		}
		time.Sleep(time.Millisecond)
	}
}
