package a

import "sync"

func run(int) {}

// The Add in the goroutine: Wait may see zero and return.
func fanOut(jobs []int) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		go func() {
			wg.Add(1) // want "`wg.Add` inside the goroutine it counts races `wg.Wait` \\(a.go:17\\): Wait may return before Add runs; call Add before the go statement \\(a.go:11\\)"
			defer wg.Done()
			run(job)
		}()
	}
	wg.Wait()
}

// Through a function of the package given the group.
func worker(wg *sync.WaitGroup, job int) {
	defer wg.Done()
	wg.Add(1) // want "`wg.Add` inside the goroutine it counts races `wg.Wait` \\(a.go:32\\)"
	run(job)
}

func startWorkers(jobs []int) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		go worker(&wg, job)
	}
	wg.Wait()
}

// A group in a field, waited on by another method.
type pool struct{ wg sync.WaitGroup }

func (p *pool) submit(job int) {
	go func() {
		run(job)
		p.wg.Add(1) // want "`p.wg.Add` inside the goroutine it counts races `p.wg.Wait` \\(a.go:46\\)"
		p.wg.Done()
	}()
}

func (p *pool) close() { p.wg.Wait() }

// Quiet: counted before the go statement; the goroutine adds for its
// own children.
func nested(jobs []int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, job := range jobs {
			wg.Add(1)
			go func() { defer wg.Done(); run(job) }()
		}
	}()
	wg.Wait()
}

// Quiet: counted in the loop that starts them.
func counted(jobs []int) {
	var wg sync.WaitGroup
	for _, job := range jobs {
		go func() {
			defer wg.Done()
			run(job)
		}()
		wg.Add(1)
	}
	wg.Wait()
}

// Quiet: nothing waits on the group.
func unwaited() {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1)
		wg.Done()
	}()
}

// Quiet: the goroutine adds for the goroutine it starts, which marks
// Done.
func relay(jobs []int) {
	var wg sync.WaitGroup
	go func() {
		for _, job := range jobs {
			wg.Add(1)
			go func() { defer wg.Done(); run(job) }()
		}
	}()
	wg.Wait()
}

// Quiet: the Add is for the goroutine a runner starts; the Done beside
// it undoes the Add when the runner refuses.
func startGoroutine(f func()) bool { go f(); return true }

func mirror() {
	var wg sync.WaitGroup
	go func() {
		wg.Add(1)
		if !startGoroutine(func() { defer wg.Done() }) {
			wg.Done()
		}
	}()
	wg.Wait()
}

// Quiet, and no crash: a method expression names no group by selector.
func methodExpr() {
	var wg sync.WaitGroup
	go func() {
		(*sync.WaitGroup).Add(&wg, 1)
		wg.Done()
	}()
	wg.Wait()
}
