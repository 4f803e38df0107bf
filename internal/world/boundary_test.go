package world

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const netlinkPath = "github.com/vishvananda/netlink"

// pureNetlink are the package-level functions of the netlink package that
// only build a value: code outside internal/world may call them.
var pureNetlink = []string{"NewLinkAttrs", "NewLinkBond"}

// TestNetlinkOnlyThroughWorld checks the module's non-test Go files
// outside internal/world: none uses a package-level function of the
// netlink package (each opens a socket of its own, in whatever namespace
// the calling thread is in: a namespace's netlink goes through its NS),
// and no init function assigns to a variable of another package (as
// "nl.EnableErrorMessageReporting = true" once flipped a setting for the
// whole process).
func TestNetlinkOnlyThroughWorld(t *testing.T) {
	funcs := netlinkFuncs(t)
	root := moduleRoot(t)
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" ||
				filepath.ToSlash(rel) == "internal/world") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		files++
		for _, v := range violations(fset, f, funcs) {
			t.Errorf("%s:%s", filepath.ToSlash(rel), v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("checked %d files under %s; the walk missed the module", files, root)
	}
}

// TestViolations shows that the check finds what it looks for.
func TestViolations(t *testing.T) {
	funcs := map[string]bool{"LinkAdd": true, "AddrList": true, "NewLinkBond": true, "NewHandle": true}
	tests := []struct {
		name, src string
		want      []string // substrings of the violations, in order
	}{
		{"handle method", `package p
import "github.com/vishvananda/netlink"
func f(h *netlink.Handle, l netlink.Link) error { return h.LinkAdd(l) }`, nil},
		{"package-level call", `package p
import "github.com/vishvananda/netlink"
func f(l netlink.Link) error { return netlink.LinkAdd(l) }`, []string{"netlink.LinkAdd"}},
		{"renamed import", `package p
import nlk "github.com/vishvananda/netlink"
func f() { _, _ = nlk.AddrList(nil, 0) }`, []string{"nlk.AddrList"}},
		{"function value", `package p
import "github.com/vishvananda/netlink"
var list = netlink.AddrList`, []string{"netlink.AddrList"}},
		{"new handle", `package p
import "github.com/vishvananda/netlink"
func f() { netlink.NewHandle() }`, []string{"netlink.NewHandle"}},
		{"pure constructor and types", `package p
import "github.com/vishvananda/netlink"
func f() netlink.Link { _ = netlink.LinkNotFoundError{}; return netlink.NewLinkBond(netlink.LinkAttrs{}) }`, nil},
		{"another package's LinkAdd", `package p
import "example.com/netlink"
func f() { netlink.LinkAdd(nil) }`, nil},
		{"init assigns another package's variable", `package p
import "github.com/vishvananda/netlink/nl"
func init() { nl.EnableErrorMessageReporting = true }`, []string{"init assigns to nl.EnableErrorMessageReporting"}},
		{"init assigns a field of one", `package p
import "net/http"
func init() { http.DefaultClient.Timeout = 1; http.DefaultClient.Timeout++ }`, []string{"http.DefaultClient", "http.DefaultClient"}},
		{"init assigns its own variables", `package p
import "strings"
var table = map[string]int{}
func init() { strings := 1; _ = strings; table["a"] = 1 }`, nil},
		{"versioned import path", `package p
import "math/rand/v2"
func init() { rand.X = 1 }`, []string{"rand.X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "p.go", tt.src, 0)
			if err != nil {
				t.Fatal(err)
			}
			got := violations(fset, f, funcs)
			if len(got) != len(tt.want) {
				t.Fatalf("violations = %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("violation %d = %q, want it to name %q", i, got[i], w)
				}
			}
		})
	}
}

// violations lists what f does that TestNetlinkOnlyThroughWorld forbids;
// funcs holds the names of the netlink package's package-level functions.
func violations(fset *token.FileSet, f *ast.File, funcs map[string]bool) []string {
	var out []string
	at := func(n ast.Node) string {
		p := fset.Position(n.Pos())
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	imports := map[string]string{} // name in f -> import path
	for _, spec := range f.Imports {
		p, _ := strconv.Unquote(spec.Path.Value)
		name := importName(p)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		if name != "_" && name != "." {
			imports[name] = p
		}
	}
	// pkgIdent reports the import path e names, when e is an imported
	// package's name (not a local that shadows it).
	pkgIdent := func(e ast.Expr) (string, string, bool) {
		id, ok := e.(*ast.Ident)
		if !ok || id.Obj != nil {
			return "", "", false
		}
		p, ok := imports[id.Name]
		return id.Name, p, ok
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if name, p, ok := pkgIdent(sel.X); ok && p == netlinkPath && funcs[sel.Sel.Name] &&
			!slices.Contains(pureNetlink, sel.Sel.Name) {
			out = append(out, fmt.Sprintf("%s: %s.%s is a package-level netlink function: go through world.NS",
				at(sel), name, sel.Sel.Name))
		}
		return true
	})
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Name.Name != "init" || fn.Body == nil {
			continue
		}
		check := func(lhs ast.Expr) {
			for e := lhs; e != nil; {
				switch x := e.(type) {
				case *ast.SelectorExpr:
					if name, _, ok := pkgIdent(x.X); ok {
						out = append(out, fmt.Sprintf("%s: init assigns to %s.%s, a variable of another package",
							at(x), name, x.Sel.Name))
						return
					}
					e = x.X
				case *ast.IndexExpr:
					e = x.X
				case *ast.StarExpr:
					e = x.X
				case *ast.ParenExpr:
					e = x.X
				default:
					return
				}
			}
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch s := n.(type) {
			case *ast.AssignStmt:
				if s.Tok != token.DEFINE {
					for _, l := range s.Lhs {
						check(l)
					}
				}
			case *ast.IncDecStmt:
				check(s.X)
			}
			return true
		})
	}
	return out
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// importName is the name a package is known by when imported unnamed: the
// last element of its path, or the one before a major version suffix.
func importName(p string) string {
	dir, name := path.Split(p)
	if majorVersion.MatchString(name) && dir != "" {
		name = path.Base(dir)
	}
	return name
}

// netlinkFuncs returns the names of the netlink package's exported
// package-level functions, read from its source.
func netlinkFuncs(t *testing.T) map[string]bool {
	t.Helper()
	pkg, err := build.Import(netlinkPath, moduleRoot(t), build.FindOnly)
	if err != nil {
		t.Fatalf("find the netlink package: %v", err)
	}
	fset := token.NewFileSet()
	funcs := map[string]bool{}
	entries, err := os.ReadDir(pkg.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() {
				funcs[fn.Name.Name] = true
			}
		}
	}
	for _, want := range []string{"LinkAdd", "AddrList", "NewHandle", "GetNetNsIdByFd"} {
		if !funcs[want] {
			t.Fatalf("read %d functions from %s, without %s", len(funcs), pkg.Dir, want)
		}
	}
	return funcs
}

// moduleRoot is the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
