module example.com/consumer

go 1.22

require (
	github.com/google/pprof v0.0.0-20211214055906-6f57359322fd
	github.com/stretchr/testify v1.8.4
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
