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
// section of RULES.md is a rule; every row of citations names one.
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
	for _, c := range citations {
		if _, ok := ruleByID(c.rule); !ok {
			t.Errorf("citation %q %q names %s, which is not a rule", c.says, c.cites, c.rule)
		}
	}
}

// TestRules_EveryBrokenRuleIsListed reads every call of broke in the
// package whose rule and citation are constants and checks citations maps
// it to a rule of RULES.md: a failure never reaches a merchant with the
// files the features were written from in place of a public page.
func TestRules_EveryBrokenRuleIsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
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
				says, err1 := stringValue(call.Args[0], local, global)
				cites, err2 := stringValue(call.Args[1], local, global)
				if err1 != nil || err2 != nil {
					return true // built at run time: findingOf's prefix rows cover it
				}
				calls++
				if _, ok := ruleFor(says, cites); !ok {
					t.Errorf("%s: broke(%q, %q) is not in citations (rules.go): add a row naming its rule in RULES.md", fset.Position(call.Pos()), says, cites)
				}
				return true
			})
		}
	}
	if calls < 10 {
		t.Fatalf("only %d calls of broke were read", calls)
	}
}

// TestFindingOf: a step's failure becomes the rule of RULES.md and what
// the merchant did; the files the features were written from never show.
func TestFindingOf(t *testing.T) {
	f := findingOf(broke("the order is paid, consistent with Tabby's payment status", orderRuleSource["paid"], "the merchant reports %q", "pending"))
	if f.Rule.ID != "R-ORDER-STATUS" || f.Rule.Says != "the order is paid, consistent with Tabby's payment status" || f.Instead != `the merchant reports "pending"` {
		t.Fatalf("finding %+v", f)
	}
	f = findingOf(broke("the order is pending, consistent with Tabby's payment status", orderRuleSource["pending"], "paid"))
	if f.Rule.ID != "R-REDIRECT-UNTRUSTED" {
		t.Fatalf("finding %+v", f)
	}
	f = findingOf(broke("a rule no row lists yet", "seed 002, tabby-api.md §3.6, §3.8", "x"))
	if f.Rule.ID != "" || !slices.Equal(f.Rule.Sources, []string{pageProcessing, pageCapture, pageClose}) {
		t.Fatalf("an unlisted rule names its pages: %+v", f)
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
