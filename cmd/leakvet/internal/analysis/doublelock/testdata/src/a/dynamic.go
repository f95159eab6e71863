package a

import "sync"

// An executor read-locks its config through a Cond made on the config's
// RLocker, then again through calls: cockroach#16167's shape.
type executor struct {
	configCond *sync.Cond
	configMu   sync.RWMutex
}

func newExecutor() *executor {
	e := &executor{}
	e.configCond = sync.NewCond(e.configMu.RLocker())
	return e
}

func (e *executor) exec() {
	e.configCond.L.Lock()
	defer e.configCond.L.Unlock()
	e.prepare()
}

func (e *executor) prepare() {
	e.configMu.RLock() // want "`e.configMu` is read-locked at dynamic.go:19 and again at dynamic.go:25 through `\\(\\*executor\\).exec` → `\\(\\*executor\\).prepare`: recursive read locking"
	defer e.configMu.RUnlock()
}

// A Cond on a plain mutex, waited on in a loop: quiet.
type queue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *queue) pop() int {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for len(q.items) == 0 {
		q.cond.Wait()
	}
	item := q.items[0]
	q.items = q.items[1:]
	return item
}

func (q *queue) push(i int) {
	q.mu.Lock()
	q.items = append(q.items, i)
	q.mu.Unlock()
	q.cond.Signal()
}

// A cluster client locks itself, then reaches its own read lock through
// an interface of the package whose value a constructor stored:
// etcd#6708's shape.
type doer interface{ do() }

type leaderAPI interface{ leader() }

type clusterClient struct {
	sync.RWMutex
}

type membersAPI struct {
	client doer
}

func newMembersAPI(c doer) leaderAPI { return &membersAPI{client: c} }

func (m *membersAPI) leader() { m.client.do() }

func (c *clusterClient) do() {
	c.RLock() // want "`c` is locked at dynamic.go:85 and read-locked again at dynamic.go:80 through `\\(\\*clusterClient\\).sync` → `\\(\\*membersAPI\\).leader` → `\\(\\*clusterClient\\).do`: blocks forever"
	c.RUnlock()
}

func (c *clusterClient) sync() {
	c.Lock()
	defer c.Unlock()
	newMembersAPI(c).leader()
}

// Quiet: the interface holds another value than the one locked.
func (c *clusterClient) syncOther(other *clusterClient) {
	c.Lock()
	defer c.Unlock()
	newMembersAPI(other).leader()
}

// A callback kept in a field and run holding the lock it takes.
type watcher struct {
	mu     sync.Mutex
	notify func()
}

func (w *watcher) init() { w.notify = w.flush }

func (w *watcher) flush() {
	w.mu.Lock() // want "`w.mu` is locked at dynamic.go:111 and locked again at dynamic.go:106 through `\\(\\*watcher\\).fire` → `\\(\\*watcher\\).flush`: blocks forever"
	defer w.mu.Unlock()
}

func (w *watcher) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.notify()
}

// A lease runs a callback, set through a setter by a closure that
// captures the lease, holding the lock the callback takes: etcd#10492's
// shape.
type lease struct {
	mu         sync.Mutex
	checkpoint func()
}

func (l *lease) setCheckpointer(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checkpoint = f
}

func (l *lease) renew() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.checkpoint != nil {
		l.checkpoint()
	}
}

func (l *lease) record() {
	l.mu.Lock() // want "`l.mu` is locked at dynamic.go:131 and locked again at dynamic.go:139 through `\\(\\*lease\\).renew` → `startLease\\$1` → `\\(\\*lease\\).record`: blocks forever"
	defer l.mu.Unlock()
}

func startLease() *lease {
	l := &lease{}
	l.setCheckpointer(func() { l.record() })
	return l
}

// Quiet: the callback locks another lease than the one that runs it.
func chainLeases() (*lease, *lease) {
	first, second := &lease{}, &lease{}
	second.setCheckpointer(func() { first.record() })
	return first, second
}

// Quiet: a logger that decorates another logger, under a global lock; the
// Logger it wraps is not itself (fasthttp's ctxLogger).
type Logger interface {
	Printf(format string, args ...any)
}

var prefixLock sync.Mutex

type prefixLogger struct {
	prefix string
	inner  Logger
}

func (p *prefixLogger) Printf(format string, args ...any) {
	prefixLock.Lock()
	p.inner.Printf(p.prefix+format, args...)
	prefixLock.Unlock()
}

// A store read-locks itself, then reaches its lock again through a
// replica's back pointer: cockroach#3710's shape.
type raftStore struct {
	mu       sync.RWMutex
	replicas map[int]*raftReplica
	list     []*raftReplica
	links    []*link
}

type raftReplica struct {
	store *raftStore
}

// A link between two stores points at two of them.
type link struct {
	from, to *raftStore
}

func (s *raftStore) scan() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.replicas {
		r.status()
	}
	for _, r := range s.list {
		r.store.mu.Lock() // want "`s.mu` \\(reached again as `store.mu`, a back pointer from an element of its own collection\\) is read-locked at dynamic.go:194 and locked again at dynamic.go:200: blocks forever"
		r.store.mu.Unlock()
	}
}

func (r *raftReplica) status() {
	r.store.mu.RLock() // want "`s.mu` \\(reached again as `store.mu`, .*\\) is read-locked at dynamic.go:194 and again at dynamic.go:206 through `\\(\\*raftStore\\).scan` → `\\(\\*raftReplica\\).status`: recursive read locking"
	defer r.store.mu.RUnlock()
}

// Quiet: the replicas of another store, and a field that is not the
// store the replica was found in.
func (s *raftStore) compare(other *raftStore) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range other.replicas {
		r.status()
	}
	for _, l := range s.links {
		l.to.mu.RLock()
		l.to.mu.RUnlock()
	}
}
