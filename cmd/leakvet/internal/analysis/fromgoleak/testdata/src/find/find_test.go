package find

import "testing"

func TestFind(t *testing.T) {
	h := &Harness{Opts: Options()}
	if err := h.Check(); err != nil {
		t.Fatal(err)
	}
}
