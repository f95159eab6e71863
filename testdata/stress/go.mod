module github.com/leakcheck/leakcheck/testdata/stress

go 1.24

require (
	github.com/leakcheck/leakcheck v0.0.0-00010101000000-000000000000
	golang.org/x/sync v0.7.0
)

require github.com/google/pprof v0.0.0-20181206194817-3ea8567a2e57 // indirect

replace github.com/leakcheck/leakcheck => ../..
