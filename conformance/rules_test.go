package conformance

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRules_MatchRULESmd: every rule has its section in RULES.md and every
// section of RULES.md is a rule.
func TestRules_MatchRULESmd(t *testing.T) {
	b, err := os.ReadFile("../RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	var sections []string
	for _, m := range regexp.MustCompile(`(?m)^### (R-[A-Z0-9-]+)$`).FindAllStringSubmatch(string(b), -1) {
		sections = append(sections, m[1])
	}
	var ids []string
	for _, r := range Rules {
		ids = append(ids, r.ID)
		if len(r.Sources) == 0 || r.Says == "" {
			t.Errorf("%s says nothing or comes from nowhere", r.ID)
		}
		for _, s := range r.Sources {
			if !strings.HasPrefix(s, "https://docs.tabby.ai/") && !strings.HasPrefix(s, "https://docs.onerway.com/") {
				t.Errorf("%s comes from %s, which is not a public page of Tabby or Onerway", r.ID, s)
			}
		}
	}
	if !slices.Equal(ids, sections) {
		t.Errorf("the rules are %q;\nRULES.md has %q", ids, sections)
	}
}

// TestRules_EveryBrokenRuleIsListed reads every call of broke in the
// package whose rule is a constant, and every string that looks like a
// rule's id (the maps and functions that give one at run time), and checks
// each names a rule of RULES.md: a failure always reaches a merchant with
// its rule and the public pages it comes from.
func TestRules_EveryBrokenRuleIsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	known := func(id string) bool { _, ok := ruleByID(id); return ok }
	looksLikeID := regexp.MustCompile(`^R-[A-Z0-9-]+$`)
	fset := token.NewFileSet()
	calls := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && looksLikeID.MatchString(s) && !known(s) {
					t.Errorf("%s: %q is not a rule of RULES.md", fset.Position(lit.Pos()), s)
				}
			}
			return true
		})
		// The file's own constants: those of a function are its alone.
		global := map[string]string{}
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok {
				for k, v := range constants(gd) {
					global[k] = v
				}
			}
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			local := constants(fn.Body)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) < 2 {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "broke" {
					return true
				}
				rule, err := stringValue(call.Args[0], local, global)
				if err != nil {
					// Given at run time, by a map or a function whose
					// strings are checked above, not built from words.
					ast.Inspect(call.Args[0], func(n ast.Node) bool {
						if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
							t.Errorf("%s: broke's rule is built from %s: give it the id of the rule it checks", fset.Position(call.Pos()), lit.Value)
						}
						return true
					})
					return true
				}
				calls++
				if !known(rule) {
					t.Errorf("%s: broke(%q, ...) names no rule of RULES.md: give it the id of the rule it checks", fset.Position(call.Pos()), rule)
				}
				return true
			})
		}
	}
	if calls < 10 {
		t.Fatalf("only %d calls of broke were read", calls)
	}
}

// TestFindingOf: a step's failure becomes the rule of RULES.md, in the
// step's own words, and what the merchant did.
func TestFindingOf(t *testing.T) {
	d := &tabbyDriver{}
	f := findingOf(broke(d.orderRule("paid"), "the order is paid, consistent with Tabby's payment status", "the merchant reports %q", "pending"))
	if f.Rule.ID != "R-ORDER-STATUS" || f.Rule.Says != "the order is paid, consistent with Tabby's payment status" ||
		!slices.Equal(f.Rule.Sources, []string{pageProcessing, pageStatuses}) || f.Instead != `the merchant reports "pending"` {
		t.Fatalf("finding %+v", f)
	}
	f = findingOf(broke(d.orderRule("pending"), "the order is pending, consistent with Tabby's payment status", "paid"))
	if f.Rule.ID != "R-REDIRECT-UNTRUSTED" {
		t.Fatalf("finding %+v", f)
	}
	f = findingOf(broke("R-NO-SUCH-RULE", "a rule RULES.md does not have", "x"))
	if f.Rule.ID != "" || f.Rule.Says != "a rule RULES.md does not have" || f.Instead != "x" {
		t.Fatalf("an unknown rule keeps its words: %+v", f)
	}
	f = findingOf(errors.New("the merchant answered the checkout with HTTP 500"))
	if f.Rule.ID != "" || f.Instead != "the merchant answered the checkout with HTTP 500" {
		t.Fatalf("finding %+v", f)
	}
}

// constants maps the string constants declared in n to their values.
func constants(n ast.Node) map[string]string {
	out := map[string]string{}
	ast.Inspect(n, func(n ast.Node) bool {
		gd, ok := n.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			return true
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if v, err := stringValue(vs.Values[i], out, nil); err == nil {
						out[name.Name] = v
					}
				}
			}
		}
		return true
	})
	return out
}

var errNotConstant = errors.New("not a constant string")

// stringValue evaluates a constant string expression: literals, constants
// and their concatenations.
func stringValue(e ast.Expr, scopes ...map[string]string) (string, error) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			return strconv.Unquote(e.Value)
		}
	case *ast.Ident:
		for _, s := range scopes {
			if v, ok := s[e.Name]; ok {
				return v, nil
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			l, err := stringValue(e.X, scopes...)
			if err != nil {
				return "", err
			}
			r, err := stringValue(e.Y, scopes...)
			return l + r, err
		}
	case *ast.ParenExpr:
		return stringValue(e.X, scopes...)
	}
	return "", errNotConstant
}
