package callees

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

// src calls, in each function named call*, one function value or
// interface method; want says what each may run.
const src = `package p

import "io"

type Doer interface{ Do() }

type a struct{}

func (a) Do() {}

type b struct{}

func (*b) Do() {}

type embeds struct{ a }

type conn struct {
	down  func()
	write func([]byte)
}

func (c *conn) close() {}

func setDown(c *conn, f func()) { c.down = f }

func up() func() { return func() {} }

func callInterface(d Doer) { d.Do() }

func callForeignInterface(w io.Writer) { w.Write(nil) }

func callField(c *conn) { c.down() }

func wire(c *conn) {
	setDown(c, c.close)
	c.down = up()
	c.write = func([]byte) {}
}

func callParam(f func()) { f() }

func passes() { callParam(named) }

func named() {}

func callLocal() {
	f := named
	if len(io.EOF.Error()) > 3 {
		f = up()
	}
	f()
}

func callClosure() {
	func() {}()
}

func callUnknown(f func()) { f() }
`

var want = map[string][]string{
	"callInterface":        {"(*p.b).Do", "(p.a).Do"},
	"callForeignInterface": nil,
	"callField":            {"(*p.conn).close", "p.up$1"},
	"callParam":            {"p.named"},
	"callLocal":            {"p.named", "p.up", "p.up$1"}, // up() itself, then f()
	"callClosure":          {"p.callClosure$1"},
	"callUnknown":          nil,
}

func TestCallees(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	require.NoError(t, err)
	pkg, _, err := ssautil.BuildPackage(&types.Config{Importer: importer.ForCompiler(fset, "source", nil)},
		fset, types.NewPackage("p", "p"), []*ast.File{f}, ssa.InstantiateGenerics)
	require.NoError(t, err)
	var fns []*ssa.Function
	for fn := range ssautil.AllFunctions(pkg.Prog) {
		if fn.Pkg == pkg {
			fns = append(fns, fn)
		}
	}
	r := New(pkg, fns)
	for name, names := range want {
		fn := pkg.Func(name)
		require.NotNil(t, fn, name)
		var got []string
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok && c.Common().Signature().Params().Len() <= 1 && c.Pos() != token.NoPos {
					for _, callee := range r.Callees(c.Common()) {
						got = append(got, callee.Fn.String())
					}
				}
			}
		}
		slices.Sort(got)
		assert.Equal(t, names, got, name)
	}
}

// backSrc keeps, in each struct's field h, values whose field points
// back (or not) at the struct.
const backSrc = `package p

type handler interface{ handle() }

type counter struct{ srv *server }

func (*counter) handle() {}

type server struct{ h, other, moved handler }

func wire(s, t *server) {
	s.h = &counter{srv: s}
	s.other = &counter{srv: t}
	c := &counter{srv: s}
	s.moved = c
	retarget(c, t)
}

func retarget(c *counter, t *server) { c.srv = t }
`

func TestBackPointer(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", backSrc, 0)
	require.NoError(t, err)
	pkg, _, err := ssautil.BuildPackage(&types.Config{Importer: importer.ForCompiler(fset, "source", nil)},
		fset, types.NewPackage("p", "p"), []*ast.File{f}, ssa.InstantiateGenerics)
	require.NoError(t, err)
	r := New(pkg, []*ssa.Function{pkg.Func("wire"), pkg.Func("retarget")})
	st := pkg.Pkg.Scope().Lookup("server").Type().Underlying().(*types.Struct)
	field := func(name string) *types.Var {
		for i := 0; i < st.NumFields(); i++ {
			if st.Field(i).Name() == name {
				return st.Field(i)
			}
		}
		return nil
	}
	// The counters are set elsewhere too (retarget): no field of theirs
	// is known to point back, whichever field keeps them.
	for _, name := range []string{"h", "other", "moved"} {
		assert.Nil(t, r.BackPointer(field(name)), name)
	}
	r = New(pkg, []*ssa.Function{pkg.Func("wire")})
	assert.Equal(t, "srv", r.BackPointer(field("h")).Name())
	assert.Nil(t, r.BackPointer(field("other")), "other points at another server")
	assert.Equal(t, "srv", r.BackPointer(field("moved")).Name())
}
