package ir

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryErrorHasACode walks the module's sources: every ir.Error made outside tests
// carries a code, and none but the catch-all's own uses is CodeOther, so that no compile
// error reaches a user as the uncategorised SRC015.
func TestEveryErrorHasACode(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		local := f.Name.Name == "ir"
		ast.Inspect(f, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.CompositeLit:
				if !isIRError(x.Type, local) {
					return true
				}
				n++
				hasCode := false
				for _, el := range x.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if id, ok := kv.Key.(*ast.Ident); ok && id.Name == "Code" {
							hasCode = true
							if isOther(kv.Value, local) && !local {
								t.Errorf("%s: an error of the catch-all code; give it a code of its own", fset.Position(x.Pos()))
							}
						}
					}
				}
				if !hasCode && !local {
					t.Errorf("%s: ir.Error without a Code", fset.Position(x.Pos()))
				}
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "AddCode" && sel.Sel.Name != "Errorf") || len(x.Args) == 0 {
					return true
				}
				if sel.Sel.Name == "Errorf" && !isPkg(sel.X, "ir") {
					return true
				}
				n++
				if isOther(x.Args[0], local) && !local {
					t.Errorf("%s: an error of the catch-all code; give it a code of its own", fset.Position(x.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 150 {
		t.Fatalf("found only %d error sites: the walk is not reading the module", n)
	}
}

func isPkg(x ast.Expr, name string) bool {
	id, ok := x.(*ast.Ident)
	return ok && id.Name == name
}

func isIRError(x ast.Expr, local bool) bool {
	if u, ok := x.(*ast.UnaryExpr); ok {
		x = u.X
	}
	if sel, ok := x.(*ast.SelectorExpr); ok {
		return isPkg(sel.X, "ir") && sel.Sel.Name == "Error"
	}
	return local && isPkg(x, "Error")
}

func isOther(x ast.Expr, local bool) bool {
	if sel, ok := x.(*ast.SelectorExpr); ok {
		return isPkg(sel.X, "ir") && sel.Sel.Name == "CodeOther"
	}
	return local && isPkg(x, "CodeOther")
}
