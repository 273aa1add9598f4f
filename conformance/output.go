package conformance

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// The readable report: one line per scenario that passed; a scenario that
// failed with each failed step, the rule it broke, where the rule comes
// from and what the integration did instead; then a summary. A scenario is
// written whole when it ends, so scenarios running at once never mix.

var marks = map[Status]string{Passed: "ok  ", Failed: "FAIL", Skipped: "skip"}

// indent is the indentation of a scenario's details.
const indent = "        "

// writeScenario writes one scenario's report.
func writeScenario(w io.Writer, r ScenarioResult, lenient bool) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s › %s", marks[r.Status], r.Feature, r.Name)
	if r.Status != Failed && len(r.Lint) > 0 {
		fmt.Fprintf(&b, "  (%d lint warning%s)", len(r.Lint), plural(len(r.Lint)))
	}
	b.WriteByte('\n')
	skipped := 0
	for _, s := range r.Steps {
		if s.Finding == nil {
			if s.Status == Skipped {
				skipped++
			}
			continue
		}
		fmt.Fprintf(&b, "%s%s%s\n", indent, s.Keyword, s.Text)
		if s.Status == Skipped {
			fmt.Fprintf(&b, "%s  skipped  %s\n", indent, s.Finding.Instead)
			continue
		}
		writeFinding(&b, *s.Finding, "broke")
	}
	for _, l := range r.Lint {
		label := "broke"
		if r.Status != Failed || lenient {
			label = "warning"
		}
		fmt.Fprintf(&b, "%srequest %s\n", indent, l.Request)
		writeFinding(&b, Finding{Rule: l.Rule, Instead: l.Message}, label)
	}
	if r.Status == Failed && skipped > 0 {
		fmt.Fprintf(&b, "%s(%d later step%s skipped)\n", indent, skipped, plural(skipped))
	}
	_, _ = io.WriteString(w, b.String())
}

// writeFinding writes a failure: the rule and its sources, and what the
// integration did instead; a failure that names no rule as an error.
func writeFinding(b *strings.Builder, f Finding, label string) {
	pad := indent + "  "
	if f.Rule.Says == "" {
		fmt.Fprintf(b, "%serror    %s\n", pad, f.Instead)
		return
	}
	fmt.Fprintf(b, "%s%-8s %s\n", pad, label, ruleLine(f.Rule))
	fmt.Fprintf(b, "%ssee      %s\n", pad, strings.Join(ruleSources(f.Rule), ", "))
	fmt.Fprintf(b, "%sinstead  %s\n", pad, f.Instead)
}

// ruleLine is a rule as a failure names it: "R-CAPTURE-ONCE: capture …".
func ruleLine(r Rule) string {
	if r.ID == "" {
		return r.Says
	}
	return r.ID + ": " + r.Says
}

// ruleSources are a rule's public pages and its place in RULES.md.
func ruleSources(r Rule) []string {
	out := slices.Clone(r.Sources)
	if r.ID != "" {
		out = append(out, "RULES.md#"+strings.ToLower(r.ID))
	} else {
		out = append(out, "RULES.md")
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// counts are a group of scenarios' outcomes.
type counts struct{ passed, failed, skipped int }

func (c *counts) add(s Status) {
	switch s {
	case Passed:
		c.passed++
	case Failed:
		c.failed++
	default:
		c.skipped++
	}
}

func (c counts) total() int { return c.passed + c.failed + c.skipped }

// writeSummary writes the table of outcomes by feature, the rules broken
// and by which scenarios, the lint warnings a lenient run let pass, and a
// last line with the totals.
func writeSummary(w io.Writer, results []ScenarioResult, lenient bool) {
	byFeature := map[string]*counts{}
	var features []string
	var all counts
	for _, r := range results {
		c := byFeature[r.Feature]
		if c == nil {
			c = &counts{}
			byFeature[r.Feature] = c
			features = append(features, r.Feature)
		}
		c.add(r.Status)
		all.add(r.Status)
	}
	slices.Sort(features)
	width := len("feature")
	for _, f := range features {
		width = max(width, utf8.RuneCountInString(f))
	}
	row := func(name string, c counts) {
		fmt.Fprintf(w, "  %s%s  %6d  %6d  %7d\n", name, strings.Repeat(" ", width-utf8.RuneCountInString(name)), c.passed, c.failed, c.skipped)
	}
	fmt.Fprintf(w, "\n  %-*s  %6s  %6s  %7s\n", width, "feature", "passed", "failed", "skipped")
	for _, f := range features {
		row(f, *byFeature[f])
	}
	row("all", all)

	type broken struct {
		rule      Rule
		scenarios []string
	}
	var rules []*broken
	var warnings, others []string
	for _, r := range results {
		if r.Status == Failed && len(r.Broken()) == 0 {
			others = append(others, fmt.Sprintf("  %s: %s", r.Name, firstProblem(r)))
		}
		for _, rule := range r.Broken() {
			i := slices.IndexFunc(rules, func(b *broken) bool { return b.rule.ID == rule.ID && b.rule.Says == rule.Says })
			if i < 0 {
				rules = append(rules, &broken{rule: rule})
				i = len(rules) - 1
			}
			rules[i].scenarios = append(rules[i].scenarios, r.Name)
		}
		for _, l := range r.Lint {
			if r.Status != Failed || lenient {
				warnings = append(warnings, fmt.Sprintf("  %s %s: %s (%s)", l.Rule.ID, l.Request, l.Message, r.Name))
			}
		}
	}
	if len(rules) > 0 {
		fmt.Fprintln(w, "\nrules broken:")
		for _, b := range rules {
			fmt.Fprintf(w, "  %s\n    by %s\n", ruleLine(b.rule), strings.Join(b.scenarios, "; "))
		}
	}
	if len(others) > 0 {
		fmt.Fprintln(w, "\nfailed without naming a rule:")
		fmt.Fprintln(w, strings.Join(others, "\n"))
	}
	if len(warnings) > 0 {
		fmt.Fprintln(w, "\nlint warnings (requests Tabby accepts although its contract does not allow them):")
		fmt.Fprintln(w, strings.Join(warnings, "\n"))
	}
	fmt.Fprintf(w, "\n%d scenario%s: %d passed, %d failed, %d skipped\n", all.total(), plural(all.total()), all.passed, all.failed, all.skipped)
}
