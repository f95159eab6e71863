module github.com/leakcheck/leakcheck/cmd/leakcheck

go 1.26.0

require (
	github.com/google/pprof v0.0.0-20261016150608-1facf8f91b50
	github.com/leakcheck/leakcheck v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.7.1
)

require (
	github.com/chzyer/readline v1.5.1 // indirect
	github.com/davecgh/go-spew v1.1.0 // indirect
	github.com/ianlancetaylor/demangle v0.0.0-20250417193237-f615e6bd150b // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/sys v0.32.0 // indirect
	gopkg.in/yaml.v3 v3.0.0-20200313102051-9f266ea9e77c // indirect
)

// The command reads dumps with the library's parser and groups them with
// its report package (internal/stack, internal/report): it builds against
// the library in this repository.
replace github.com/leakcheck/leakcheck => ../..
