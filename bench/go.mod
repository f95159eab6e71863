module github.com/leakcheck/leakcheck/bench

go 1.26.0

require (
	github.com/leakcheck/leakcheck v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require github.com/ianlancetaylor/demangle v0.0.0-20250417193237-f615e6bd150b // indirect

require (
	github.com/google/pprof v0.0.0-20261016150608-1facf8f91b50
	github.com/leakcheck/leakcheck/cmd/leakcheck v0.0.0-00010101000000-000000000000 // indirect
	github.com/maruel/panicparse/v2 v2.5.0 // indirect
	github.com/mattn/go-colorable v0.1.14 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/mgutz/ansi v0.0.0-20200706080929-d51e80ef957d // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/leakcheck/leakcheck => ../

tool github.com/maruel/panicparse/v2/cmd/pp

tool github.com/leakcheck/leakcheck/cmd/leakcheck

replace github.com/leakcheck/leakcheck/cmd/leakcheck => ../cmd/leakcheck
