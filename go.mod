module github.com/leakcheck/leakcheck

go 1.22

require (
	github.com/google/pprof v0.0.0-20181206194817-3ea8567a2e57
	github.com/stretchr/testify v1.7.1
)

require (
	github.com/davecgh/go-spew v1.1.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.0-20200313102051-9f266ea9e77c // indirect
)
