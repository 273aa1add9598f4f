package conformance

import (
	"fmt"
	"strings"
)

// tagSyntax is what the error of a malformed tag expression names.
const tagSyntax = `write tags as @name and combine them with Cucumber's not, and, or and parentheses ("@webhook and not @poll") or godog's ~, && and , ("@webhook && ~@poll")`

// tagExpr is a parsed tag expression: a tag, or an operator over others.
type tagExpr struct {
	op   string // "tag", "not", "and", "or"
	tag  string
	args []*tagExpr
}

// matches reports whether a scenario carrying tags is selected.
func (e *tagExpr) matches(tags map[string]bool) bool {
	switch e.op {
	case "tag":
		return tags[e.tag]
	case "not":
		return !e.args[0].matches(tags)
	case "and":
		return e.args[0].matches(tags) && e.args[1].matches(tags)
	default:
		return e.args[0].matches(tags) || e.args[1].matches(tags)
	}
}

// The binary operators by how tightly they bind. Cucumber's "and" binds
// tighter than its "or"; godog's "," (or) binds tighter than its "&&" (and).
var binary = map[string]struct {
	op   string
	prec int
}{
	"&&": {"and", 1}, "or": {"or", 2}, "and": {"and", 3}, ",": {"or", 4},
}

// parseTags reads a tag expression in Cucumber's syntax or in godog's; ""
// selects every scenario and gives nil.
func parseTags(s string) (*tagExpr, error) {
	toks := tagTokens(s)
	if len(toks) == 0 {
		return nil, nil
	}
	var cucumber, godog bool
	for _, t := range toks {
		cucumber = cucumber || t == "and" || t == "or"
		godog = godog || t == "&&" || t == ","
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("--tags %q: %s; %s", s, fmt.Sprintf(format, args...), tagSyntax)
	}
	if cucumber && godog {
		return nil, fail("it mixes Cucumber's and/or with godog's &&/,")
	}
	p := &tagParser{toks: toks, fail: fail}
	e, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(toks) {
		return nil, fail("unexpected %q", toks[p.pos])
	}
	return e, nil
}

// tagTokens splits an expression into tags, words and operators.
func tagTokens(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '(' || c == ')' || c == ',' || c == '~':
			toks = append(toks, s[i:i+1])
			i++
		case strings.HasPrefix(s[i:], "&&"):
			toks = append(toks, "&&")
			i += 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n(),~&", rune(s[j])) {
				j++
			}
			if j == i {
				j++ // a lone "&"
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type tagParser struct {
	toks []string
	pos  int
	fail func(format string, args ...any) error
}

// expr reads operands joined by binary operators binding tighter than min.
func (p *tagParser) expr(min int) (*tagExpr, error) {
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	for p.pos < len(p.toks) {
		b, ok := binary[p.toks[p.pos]]
		if !ok || b.prec <= min {
			break
		}
		p.pos++
		right, err := p.expr(b.prec)
		if err != nil {
			return nil, err
		}
		left = &tagExpr{op: b.op, args: []*tagExpr{left, right}}
	}
	return left, nil
}

// operand reads a tag, a negation or a parenthesised expression.
func (p *tagParser) operand() (*tagExpr, error) {
	if p.pos == len(p.toks) {
		if p.pos == 0 {
			return nil, p.fail("it is empty")
		}
		return nil, p.fail("a tag is missing after %q", p.toks[p.pos-1])
	}
	t := p.toks[p.pos]
	p.pos++
	switch {
	case t == "not" || t == "~":
		e, err := p.operand()
		if err != nil {
			return nil, err
		}
		return &tagExpr{op: "not", args: []*tagExpr{e}}, nil
	case t == "(":
		e, err := p.expr(0)
		if err != nil {
			return nil, err
		}
		if p.pos == len(p.toks) || p.toks[p.pos] != ")" {
			return nil, p.fail("a ( is not closed")
		}
		p.pos++
		return e, nil
	case len(t) > 1 && t[0] == '@':
		return &tagExpr{op: "tag", tag: t}, nil
	default:
		return nil, p.fail("expected a tag where %q stands", t)
	}
}

// maxClauses bounds the godog filter a tag expression becomes.
const maxClauses = 256

// godogFilter writes e in godog's filter syntax, which is a conjunction
// ("&&") of disjunctions (",") of tags or negated tags ("~@a"): e in
// conjunctive normal form.
func (e *tagExpr) godogFilter() (string, error) {
	if e == nil {
		return "", nil
	}
	clauses, err := e.cnf(false)
	if err != nil {
		return "", err
	}
	parts := make([]string, len(clauses))
	for i, c := range clauses {
		parts[i] = strings.Join(c, ",")
	}
	return strings.Join(parts, " && "), nil
}

// cnf returns e, or its negation when neg, as clauses of literals.
func (e *tagExpr) cnf(neg bool) ([][]string, error) {
	op := e.op
	if neg && (op == "and" || op == "or") {
		op = map[string]string{"and": "or", "or": "and"}[op] // De Morgan
	}
	switch op {
	case "tag":
		if neg {
			return [][]string{{"~" + e.tag}}, nil
		}
		return [][]string{{e.tag}}, nil
	case "not":
		return e.args[0].cnf(!neg)
	}
	left, err := e.args[0].cnf(neg)
	if err != nil {
		return nil, err
	}
	right, err := e.args[1].cnf(neg)
	if err != nil {
		return nil, err
	}
	var out [][]string
	if op == "and" {
		out = append(left, right...)
	} else {
		for _, l := range left {
			for _, r := range right {
				out = append(out, append(append([]string(nil), l...), r...))
			}
		}
	}
	if len(out) > maxClauses {
		return nil, fmt.Errorf("--tags: the expression is too complex to run (over %d clauses once expanded); split it into simpler runs", maxClauses)
	}
	return out, nil
}
