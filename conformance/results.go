package conformance

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/tabbysim/tabbysim/client/simctl"
)

// ScenarioResult is the outcome of one scenario, as the reports give it.
type ScenarioResult struct {
	// Feature is the name of the scenario's feature.
	Feature string
	// Name is the scenario's name; a row of an outline is named by the
	// values of its example ("… [amount 5.00, phone +971500000001]").
	Name string
	// Outline is the outline's own name for a row of one, else Name.
	Outline string
	Tags    []string
	Status  Status
	Steps   []StepResult
	// Checks are the rules of RULES.md the scenario's steps put to the
	// test.
	Checks []string
	// Lint is what the integration sent the provider that its contract
	// does not allow: a failure, or a warning with --lenient.
	Lint     []LintFinding
	Duration time.Duration
}

// Status is a scenario's or a step's outcome.
type Status string

const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	// A step's other outcomes, which fail a scenario.
	Undefined Status = "undefined"
	Pending   Status = "pending"
	Ambiguous Status = "ambiguous"
)

// StepResult is the outcome of one step of a scenario.
type StepResult struct {
	Keyword string // "Given ", "And "…
	Text    string
	Status  Status
	// Finding says why the step failed.
	Finding *Finding
}

// LintFinding is a request the provider accepted although its contract
// does not allow it.
type LintFinding struct {
	Rule    Rule
	Request string // "POST /api/v2/checkout"
	Message string
}

// Broken returns the rules the scenario broke, once each.
func (r *ScenarioResult) Broken() []Rule {
	var out []Rule
	add := func(rule Rule) {
		if rule.ID != "" && !slices.ContainsFunc(out, func(o Rule) bool { return o.ID == rule.ID }) {
			out = append(out, rule)
		}
	}
	for _, s := range r.Steps {
		if s.Finding != nil {
			add(s.Finding.Rule)
		}
	}
	if r.Status == Failed {
		for _, l := range r.Lint {
			add(l.Rule)
		}
	}
	return out
}

// lintError fails a scenario whose merchant sent what the provider's
// contract does not allow.
type lintError struct{ lint []LintFinding }

func (e *lintError) Error() string {
	parts := make([]string, len(e.lint))
	for i, l := range e.lint {
		parts[i] = fmt.Sprintf("%s %s: %s (%s)", l.Request, l.Rule.ID, l.Message, strings.Join(l.Rule.Sources, ", "))
	}
	return "request lint: " + strings.Join(parts, "; ")
}

// pickleInfo is what the reports say of a scenario beyond its pickle.
type pickleInfo struct {
	feature, name, outline string
	keywords               []string // of its steps
}

// featureIndex finds, for a pickle, its feature, its outline row's values
// and its steps' keywords, which pickles do not carry.
type featureIndex map[string]pickleInfo

func pickleKey(uri string, astNodeIDs []string) string {
	return uri + "#" + strings.Join(astNodeIDs, ",")
}

// indexFeatures reads the features godog's filter selects.
func indexFeatures(features fs.FS, filter string) (featureIndex, error) {
	fts, err := godog.TestSuite{Options: &godog.Options{Paths: []string{"."}, FS: features, Tags: filter}}.RetrieveFeatures()
	if err != nil {
		return nil, err
	}
	idx := featureIndex{}
	for _, f := range fts {
		keywords := map[string]string{} // step id → its keyword
		rows := map[string]string{}     // example row id → its values
		outlines := map[string]string{} // scenario id → its name
		steps := func(ss []*messages.Step) {
			for _, s := range ss {
				keywords[s.Id] = s.Keyword
			}
		}
		scenario := func(sc *messages.Scenario) {
			outlines[sc.Id] = sc.Name
			steps(sc.Steps)
			for _, ex := range sc.Examples {
				if ex.TableHeader == nil {
					continue
				}
				for _, row := range ex.TableBody {
					rows[row.Id] = rowValues(sc.Name, ex.TableHeader.Cells, row.Cells)
				}
			}
		}
		for _, c := range f.Feature.Children {
			if c.Background != nil {
				steps(c.Background.Steps)
			}
			if c.Scenario != nil {
				scenario(c.Scenario)
			}
			if c.Rule != nil {
				for _, rc := range c.Rule.Children {
					if rc.Background != nil {
						steps(rc.Background.Steps)
					}
					if rc.Scenario != nil {
						scenario(rc.Scenario)
					}
				}
			}
		}
		for _, p := range f.Pickles {
			info := pickleInfo{feature: f.Feature.Name, name: p.Name, outline: p.Name}
			if len(p.AstNodeIds) > 1 {
				if o := outlines[p.AstNodeIds[0]]; o != "" {
					info.outline = o
				}
				if v := rows[p.AstNodeIds[len(p.AstNodeIds)-1]]; v != "" {
					info.name += " [" + v + "]"
				}
			}
			for _, s := range p.Steps {
				kw := "* "
				if len(s.AstNodeIds) > 0 && keywords[s.AstNodeIds[0]] != "" {
					kw = keywords[s.AstNodeIds[0]]
				}
				info.keywords = append(info.keywords, kw)
			}
			idx[pickleKey(p.Uri, p.AstNodeIds)] = info
		}
	}
	return idx, nil
}

// rowValues names an outline's example row by the values of the columns
// the outline's name does not show already.
func rowValues(outline string, header, cells []*messages.TableCell) string {
	var parts []string
	for i, h := range header {
		if i >= len(cells) || strings.Contains(outline, "<"+h.Value+">") {
			continue
		}
		parts = append(parts, h.Value+" "+cells[i].Value)
	}
	return strings.Join(parts, ", ")
}

// recorder gathers the scenarios' results from godog's hooks and writes
// each scenario's report, whole, when it ends.
type recorder struct {
	out     io.Writer
	index   featureIndex
	steps   []Step
	env     *Env
	lenient bool

	mu      sync.Mutex
	results []ScenarioResult
}

// scenarioRun is one scenario while it runs.
type scenarioRun struct {
	rec      *recorder
	pickle   *godog.Scenario
	started  time.Time
	merchant *simctl.Merchant
	steps    []StepResult
	done     bool
}

// hook installs the recorder's hooks around registerSteps for one
// scenario: its own target, which notes the scenario's merchant, and the
// steps' outcomes.
func (rec *recorder) hook(sc *godog.ScenarioContext, h *harness) {
	run := &scenarioRun{rec: rec}
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		run.pickle, run.started = p, time.Now()
		return ctx, nil
	})
	own := *h
	own.target = &observedTarget{Target: h.target, run: run}
	registerSteps(sc, &own)
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		run.stepDone(st, status, err)
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		return ctx, run.finish(ctx)
	})
}

// observedTarget notes the simulator merchant a scenario's target uses.
type observedTarget struct {
	Target
	run *scenarioRun
}

func (o *observedTarget) Open(ctx context.Context, env *Env) (*simctl.Merchant, *Adapter, func(), error) {
	m, a, release, err := o.Target.Open(ctx, env)
	o.run.merchant = m
	return m, a, release, err
}

func (run *scenarioRun) stepDone(st *godog.Step, status godog.StepResultStatus, err error) {
	if run.done {
		return // a step skipped after the scenario was reported
	}
	s := StepResult{Text: st.Text, Status: stepStatus(status)}
	if err != nil && s.Status != Passed {
		f := findingOf(err)
		if s.Status == Undefined {
			f = Finding{Instead: fmt.Sprintf("no step reads %q; tabbysim conform --list-steps lists the steps", st.Text)}
		}
		s.Finding = &f
	}
	run.steps = append(run.steps, s)
}

func stepStatus(s godog.StepResultStatus) Status {
	switch s {
	case godog.StepPassed:
		return Passed
	case godog.StepFailed:
		return Failed
	case godog.StepSkipped:
		return Skipped
	case godog.StepPending:
		return Pending
	case godog.StepAmbiguous:
		return Ambiguous
	}
	return Undefined
}

// finish ends the scenario: godog calls it after its last step or its
// first failure. The steps that did not run are skipped; what the
// scenario's merchant sent the provider is linted; the report is written.
// A lint finding fails the scenario unless the run is lenient.
func (run *scenarioRun) finish(ctx context.Context) error {
	rec, p := run.rec, run.pickle
	if run.done || p == nil {
		return nil
	}
	run.done = true
	info, ok := rec.index[pickleKey(p.Uri, p.AstNodeIds)]
	if !ok {
		info = pickleInfo{feature: p.Uri, name: p.Name, outline: p.Name}
	}
	r := ScenarioResult{Feature: info.feature, Name: info.name, Outline: info.outline, Duration: time.Since(run.started)}
	for _, t := range p.Tags {
		r.Tags = append(r.Tags, t.Name)
	}
	for i, st := range p.Steps {
		s := StepResult{Text: st.Text, Status: Skipped}
		if i < len(run.steps) {
			s = run.steps[i]
		}
		if i < len(info.keywords) {
			s.Keyword = info.keywords[i]
		}
		r.Steps = append(r.Steps, s)
		for _, id := range checksOf(rec.steps, st.Text) {
			if !slices.Contains(r.Checks, id) {
				r.Checks = append(r.Checks, id)
			}
		}
	}
	// A step that fails fails the scenario; one that skips the rest (a
	// check the target cannot answer) leaves it skipped.
	r.Status = Passed
	for _, s := range r.Steps {
		switch {
		case s.Status == Skipped && r.Status == Passed:
			r.Status = Skipped
		case s.Status != Passed && s.Status != Skipped:
			r.Status = Failed
		}
	}
	var err error
	if run.merchant != nil {
		lint, lerr := rec.lint(ctx, run.merchant.ID, run.started)
		if lerr != nil {
			return lerr
		}
		r.Lint = lint
		if len(lint) > 0 && !rec.lenient {
			r.Status, err = Failed, &lintError{lint: lint}
		}
	}
	rec.add(r)
	return err
}

// lint reads what the merchant sent the provider since the scenario began
// that the provider's contract does not allow.
func (rec *recorder) lint(ctx context.Context, merchantID string, since time.Time) ([]LintFinding, error) {
	entries, err := rec.env.Control.Journal(ctx, merchantID, 0)
	if err != nil {
		return nil, fmt.Errorf("reading the journal for request lint: %w", err)
	}
	var out []LintFinding
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.At.Before(since) {
			continue
		}
		for _, w := range e.Lint {
			rule, ok := ruleByID(w.Rule)
			if !ok {
				rule = Rule{ID: w.Rule, Says: w.Rule, Sources: []string{w.Source}}
			}
			out = append(out, LintFinding{Rule: rule, Request: e.Method + " " + e.Path, Message: w.Message})
		}
	}
	return out, nil
}

// add keeps a scenario's result and writes its report.
func (rec *recorder) add(r ScenarioResult) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.results = append(rec.results, r)
	writeScenario(rec.out, r, rec.lenient)
}

// Results are the scenarios' results, in the order they ended.
func (rec *recorder) Results() []ScenarioResult {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.results)
}
