module example.com/shapes

go 1.22

require (
	example.com/harness v0.0.0
	go.uber.org/goleak v1.3.0
)

replace example.com/harness => ./harness
