module github.com/leakcheck/leakcheck/bench

go 1.26.0

require (
	github.com/leakcheck/leakcheck v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require github.com/google/pprof v0.0.0-20261016150608-1facf8f91b50 // indirect

replace github.com/leakcheck/leakcheck => ../
