package rangeclose

// Squares returns the squares of nums, computed by a worker goroutine.
//
// Bug: jobs is never closed, so the worker's range never ends.
func Squares(nums []int) []int {
	jobs := make(chan int)
	results := make(chan int)
	go square(jobs, results)

	out := make([]int, 0, len(nums))
	for _, n := range nums {
		jobs <- n
		out = append(out, <-results)
	}
	return out
}

// SquaresFixed is Squares without the leak: closing jobs ends the
// worker's range loop.
func SquaresFixed(nums []int) []int {
	jobs := make(chan int)
	results := make(chan int)
	go square(jobs, results)
	defer close(jobs)

	out := make([]int, 0, len(nums))
	for _, n := range nums {
		jobs <- n
		out = append(out, <-results)
	}
	return out
}

// square answers each job with its square until jobs is closed.
func square(jobs <-chan int, results chan<- int) {
	for n := range jobs {
		results <- n * n
	}
}
