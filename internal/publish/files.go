package publish

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
)

// maxFileName bounds the names of the files written, well below the 255
// bytes most file systems allow, leaving room for a sequence number.
const maxFileName = 120

// SafeFileName turns s, such as a subtest name chosen by the user, into a
// single path element: no separators, no "..", no leading dot or dash,
// nothing but ASCII letters, digits, '.', '-' and '_'. Names too long are
// cut and made unique again with a hash of the whole.
func SafeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		case r == '/':
			b.WriteString("__") // as testing names artifact directories
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	for strings.Contains(name, "..") {
		name = strings.ReplaceAll(name, "..", "_")
	}
	name = strings.TrimLeft(name, ".-")
	if name == "" {
		name = "leak"
	}
	if len(name) > maxFileName {
		h := fnv.New64a()
		h.Write([]byte(s))
		name = fmt.Sprintf("%s-%016x", name[:maxFileName-17], h.Sum64())
	}
	return name
}

// CreateUnique creates a new file in dir named base+ext, or base.N+ext
// for the first N that is free, so that repeated runs (-count) and test
// binaries running at once never overwrite each other's files. dir is
// created if missing.
func CreateUnique(dir, base, ext string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	for n := 1; n <= 1000; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s.%d%s", base, n, ext)
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !os.IsExist(err) {
			return f, err
		}
	}
	return os.CreateTemp(dir, base+".*"+ext)
}
