package storetest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackendsSpellNoMessages keeps the words of every rule in the domain
// packages: a backend returns the error values ideas, forum, reviews and auth
// declare, and never builds a townhall.Error of its own, so two backends
// cannot tell users two different things.
func TestBackendsSpellNoMessages(t *testing.T) {
	for _, dir := range []string{"../sqlite", "../mongo"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				var sel *ast.SelectorExpr
				switch n := n.(type) {
				case *ast.CallExpr:
					sel, _ = n.Fun.(*ast.SelectorExpr)
				case *ast.CompositeLit:
					sel, _ = n.Type.(*ast.SelectorExpr)
				}
				if sel == nil {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "townhall" && (sel.Sel.Name == "Errorf" || sel.Sel.Name == "Error") {
					t.Errorf("%s: a backend writes its own townhall.%s; declare the error in the domain package and return that",
						fset.Position(n.Pos()), sel.Sel.Name)
				}
				return true
			})
		}
	}
}
