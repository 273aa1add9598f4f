package conformance

import (
	"fmt"
	htmltemplate "html/template"
	"os"
	"regexp"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
)

// The go-live readiness report: every item of the providers' go-live
// checklists, marked verified (by which scenarios), failed (with the rule
// broken), not run (no scenario that checks it ran), or not observable by
// a harness (and why).

// checklist is a provider's go-live checklist.
type checklist struct {
	title, source string
	sections      []checklistSection
}

type checklistSection struct {
	name  string
	items []checklistItem
}

// checklistItem is one item and what a harness observes of it: the
// scenarios that check one of rules, carry one of tags or have a step
// matching one of steps verify it. unobservable says why a harness cannot
// observe it at all; note says what of it lies outside the harness.
type checklistItem struct {
	says         string
	rules        []string
	tags         []string
	steps        []string
	unobservable string
	note         string
}

var (
	notOurs        = "it happens with the provider, outside the integration"
	productionOnly = "a sandbox run sees the integration under test, not production"
)

// checklists are Onerway's checklist for Tabby through its gateway and
// Tabby's own, quoted.
var checklists = []checklist{
	{
		title: "Onerway: Technical Integration Checklist (Tabby through Onerway)", source: pageOnerwayTabby,
		sections: []checklistSection{
			{"API Integration", []checklistItem{
				{says: "Payment request API implemented and tested", rules: []string{"R-HOSTED-PAGE", "R-SESSION-MATCHES-ORDER", "R-OW-PAYMENT-REQUEST", "R-OW-MERCHANT-URLS"}},
				{says: "Request signature generation working correctly", rules: []string{"R-OW-SIGN"}},
				{says: "Error response handling implemented", rules: []string{"R-PROVIDER-ERRORS"}},
				{says: "Redirect flow implemented (handle status=R)", rules: []string{"R-HOSTED-PAGE", "R-CUSTOMER-SEES-OUTCOME", "R-OW-REDIRECT"}},
			}},
			{"Tabby Special Requirements", []checklistItem{
				{says: "Product information includes type field (physical or virtual)", rules: []string{"R-OW-PRODUCT-TYPE"}},
				{says: "Product information includes productAvatarUrl field (HTTPS image URL)", rules: []string{"R-OW-PRODUCT-IMAGE"}},
				{says: "txnOrderMsg includes customerPlatform field (domain for web, app name for app)", rules: []string{"R-OW-CUSTOMER-PLATFORM"}},
				{says: "Physical goods: Logistics information upload API implemented", rules: []string{"R-OW-LOGISTICS", "R-OW-LOGISTICS-PHYSICAL-ONLY"}},
				{says: "Physical goods: Package delivery status verification implemented",
					unobservable: "the package's delivery is between the shop and its carrier; neither the provider's API nor the harness sees it"},
				{says: "Physical goods: Order final status checking implemented", rules: []string{"R-OW-LOGISTICS-AFTER-SUCCESS"}},
				{says: "Physical goods: Logistics upload timing control implemented (within 30 days)", rules: []string{"R-OW-LOGISTICS-WITHIN-30-DAYS"}},
			}},
			{"Webhook Implementation", []checklistItem{
				{says: "Webhook endpoint publicly accessible via HTTPS",
					unobservable: "the harness reaches the service where it runs for the test, over plain HTTP; " + productionOnly},
				{says: "Webhook signature verification implemented", rules: []string{"R-WEBHOOK-AUTH", "R-OW-WEBHOOK-SIGNATURE"}},
				{says: "Idempotent webhook processing implemented", rules: []string{"R-WEBHOOK-IDEMPOTENT"}},
				{says: "Webhook acknowledgment returns HTTP 200 with transactionId", rules: []string{"R-WEBHOOK-ACK-200", "R-OW-WEBHOOK-ACK"}},
				{says: "Asynchronous processing for webhook payload",
					unobservable: "the harness sees each webhook's answer and what the shop did after it, not whether the work ran before or after the answer; both pass"},
			}},
			{"Security", []checklistItem{
				{says: "TLS 1.2 or higher enabled", unobservable: "the harness talks to the service over plain HTTP on this machine; " + productionOnly},
				{says: "API credentials stored securely", unobservable: "where the service keeps its keys is inside it"},
				{says: "Signature verification tested", rules: []string{"R-WEBHOOK-AUTH", "R-OW-WEBHOOK-SIGNATURE"}},
				{says: "No sensitive data logged in plain text", unobservable: "the service's logs are not part of what it sends the provider"},
			}},
			{"Testing Validation", []checklistItem{
				{says: "Successful payment scenario tested", rules: []string{"R-CAPTURE-ONCE"}},
				{says: "Failed payment scenario tested", rules: []string{"R-PRESCORING-HIDE"}, steps: []string{`^the payment is REJECTED$`}},
				{says: "Timeout scenario tested", tags: []string{"@timeout"}},
				{says: "Webhook delivery tested", tags: []string{"@webhook"}},
				{says: "Duplicate transaction prevention tested", tags: []string{"@duplicate"}, rules: []string{"R-WEBHOOK-IDEMPOTENT", "R-OW-MERCHANT-TXN-ID"}},
				{says: "Redirect flow tested on mobile devices",
					unobservable: "the harness follows the redirects as a browser does; mobile web views and app deep links are not simulated"},
			}},
			{"Monitoring & Operations", []checklistItem{
				{says: "API request/response logging implemented", unobservable: "the service's logs are inside it"},
				{says: "Error monitoring and alerting configured", unobservable: "monitoring and alerting are outside the service's traffic"},
				{says: "Transaction status tracking implemented", rules: []string{"R-ORDER-STATUS", "R-POLL-UNTIL-TERMINAL", "R-OW-POLL"}},
				{says: "Webhook retry mechanism implemented", rules: []string{"R-WEBHOOK-ACK-200", "R-WEBHOOK-IDEMPOTENT", "R-OW-WEBHOOK-ACK"},
					note: "the provider retries a webhook until it is acknowledged; the shop acknowledges once it has it and takes a retry idempotently"},
			}},
		},
	},
	{
		title: "Tabby: Step-by-Step Integration Checklist", source: pageQuickStart,
		sections: []checklistSection{{"", []checklistItem{
			{says: "1. Register for a Tabby merchant account and complete your application to obtain access to Tabby Merchant Dashboard", unobservable: notOurs},
			{says: "2. Retrieve your test API keys and merchant codes from Tabby Merchant Dashboard or your Tabby account manager",
				unobservable: notOurs + "; the harness hands the integration test keys and merchant codes of its own"},
			{says: "3. Implement the Checkout Flow for your Website or Mobile App using Tabby API endpoints and follow the eligibility check process",
				rules: []string{"R-PRESCORING-HIDE", "R-REJECTION-REASON", "R-HOSTED-PAGE", "R-MERCHANT-URLS", "R-SESSION-MATCHES-ORDER", "R-CUSTOMER-SEES-OUTCOME"}},
			{says: "4. Integrate Payment Processing on your backend to handle payment status updates, order fulfillment and error handling",
				rules: []string{"R-REDIRECT-UNTRUSTED", "R-ORDER-STATUS", "R-LOST-REDIRECT", "R-POLL-UNTIL-TERMINAL", "R-WEBHOOK-REGISTERED",
					"R-WEBHOOK-AUTH", "R-WEBHOOK-ACK-200", "R-WEBHOOK-VERIFY", "R-WEBHOOK-IDEMPOTENT", "R-CAPTURE-ONCE", "R-CAPTURE-AUTHORIZED-ONLY",
					"R-PARTIAL-CAPTURE-CLOSE", "R-CANCEL-IS-CLOSE", "R-AUTO-CAPTURE", "R-REFUND-EXACT", "R-REFUND-WITHIN-CAPTURED", "R-AMOUNT-EXACT",
					"R-PROVIDER-ERRORS"}},
			{says: "5. Add Tabby promotional messaging to your store to increase customer awareness and conversion rates",
				unobservable: "on-site messaging is in the shop's pages, which the harness does not render"},
			{says: "6. Test your integration thoroughly using Tabby's test credentials. Share your staging site or test app with the Tabby Integrations Team for QA and feedback",
				tags: []string{"@tabby"}, note: "the harness plays Tabby's test customers; sharing the staging site with Tabby's team is outside it"},
			{says: "7. Coordinate your marketing campaign and go-live plan with your Tabby account manager", unobservable: notOurs},
			{says: "8. After successful testing and approval, request your live API keys and deploy your integration to production",
				unobservable: notOurs + "; " + productionOnly},
		}}},
	},
}

// Item statuses.
const (
	statusVerified      = "verified"
	statusFailed        = "failed"
	statusNotRun        = "not run"
	statusNotObservable = "not observable by a harness"
)

// readinessRow is one checklist item as the report gives it.
type readinessRow struct {
	Item, Status, Evidence string
}

type readinessSection struct {
	Name string
	Rows []readinessRow
}

type readinessList struct {
	Title, Source string
	Sections      []readinessSection
}

// readiness is what both forms of the report show.
type readiness struct {
	Target, Generated, Verdict, Totals, Linting string
	Seed                                        int64
	Failed                                      string
	Lists                                       []readinessList
	Lint                                        []string
	Scenarios                                   []readinessRow
}

// maxNamed is how many scenarios an item names before "and N more".
const maxNamed = 6

// assess marks one item from the scenarios' results.
func assess(it checklistItem, results []ScenarioResult) readinessRow {
	row := readinessRow{Item: it.says}
	if it.unobservable != "" {
		row.Status, row.Evidence = statusNotObservable, it.unobservable
		return row
	}
	steps := make([]*regexp.Regexp, len(it.steps))
	for i, s := range it.steps {
		steps[i] = regexp.MustCompile(s)
	}
	var verified, failed []string
	ran := map[string]bool{}
	for _, r := range results {
		if r.Status == Skipped || !qualifies(it, steps, r) {
			continue
		}
		for _, id := range r.Checks {
			ran[id] = true
		}
		if r.Status == Passed {
			verified = append(verified, r.Name)
			continue
		}
		why := firstProblem(r)
		if b := r.Broken(); len(b) > 0 {
			src := ruleSources(b[0])
			why = ruleLine(b[0]) + " (" + src[0] + ")"
		}
		failed = append(failed, r.Name+": "+why)
	}
	var notRun []string
	for _, id := range it.rules {
		if !ran[id] {
			notRun = append(notRun, id)
		}
	}
	var parts []string
	switch {
	case len(failed) > 0:
		row.Status = statusFailed
		parts = append(parts, "failed in "+strings.Join(failed, "; "))
		if len(verified) > 0 {
			parts = append(parts, "passed in "+named(verified))
		}
	case len(verified) > 0:
		row.Status = statusVerified
		parts = append(parts, "by "+named(verified))
	default:
		row.Status = statusNotRun
		parts = append(parts, "no scenario that checks "+strings.Join(append(slices.Clone(it.rules), it.tags...), ", ")+" ran")
	}
	if row.Status != statusNotRun && len(notRun) > 0 {
		parts = append(parts, "not run: "+strings.Join(notRun, ", "))
	}
	if it.note != "" {
		parts = append(parts, it.note)
	}
	row.Evidence = strings.Join(parts, "; ")
	return row
}

// qualifies reports whether scenario r checks the item.
func qualifies(it checklistItem, steps []*regexp.Regexp, r ScenarioResult) bool {
	for _, id := range it.rules {
		if slices.Contains(r.Checks, id) {
			return true
		}
	}
	for _, t := range it.tags {
		if slices.Contains(r.Tags, t) {
			return true
		}
	}
	for _, re := range steps {
		if slices.ContainsFunc(r.Steps, func(s StepResult) bool { return re.MatchString(s.Text) }) {
			return true
		}
	}
	return false
}

func named(names []string) string {
	if len(names) <= maxNamed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxNamed], ", "), len(names)-maxNamed)
}

// buildReadiness assesses every checklist item from a run.
func buildReadiness(o Options, res Result, failed error) readiness {
	target := "reference merchant"
	if o.Target != nil {
		target = o.Target.Name()
	}
	// Scenarios by feature and name, as a reader looks for them.
	res.Scenarios = slices.Clone(res.Scenarios)
	slices.SortStableFunc(res.Scenarios, func(a, b ScenarioResult) int {
		return strings.Compare(a.Feature+"\x00"+a.Name, b.Feature+"\x00"+b.Name)
	})
	rd := readiness{Target: target, Seed: res.Seed, Generated: time.Now().UTC().Format(time.RFC3339), Linting: "strict: a request Tabby's contract does not allow fails its scenario"}
	if o.Lenient {
		rd.Linting = "lenient (--lenient): a request Tabby's contract does not allow is a warning"
	}
	var c counts
	for _, r := range res.Scenarios {
		c.add(r.Status)
	}
	rd.Totals = fmt.Sprintf("%d scenario%s: %d passed, %d failed, %d skipped", c.total(), plural(c.total()), c.passed, c.failed, c.skipped)
	if failed != nil {
		rd.Failed = failed.Error()
	}
	nFailed := 0
	for _, cl := range checklists {
		l := readinessList{Title: cl.title, Source: cl.source}
		for _, sec := range cl.sections {
			s := readinessSection{Name: sec.name}
			for _, it := range sec.items {
				row := assess(it, res.Scenarios)
				if row.Status == statusFailed {
					nFailed++
				}
				s.Rows = append(s.Rows, row)
			}
			l.Sections = append(l.Sections, s)
		}
		rd.Lists = append(rd.Lists, l)
	}
	switch {
	case failed != nil:
		rd.Verdict = "not assessed: the run could not check anything"
	case nFailed > 0:
		rd.Verdict = fmt.Sprintf("not ready: %d checklist item%s failed", nFailed, plural(nFailed))
	case c.passed == 0:
		rd.Verdict = "not assessed: no scenario passed"
	default:
		rd.Verdict = "no checklist item failed; the items not run and not observable remain to be checked otherwise"
	}
	for _, r := range res.Scenarios {
		for _, l := range r.Lint {
			rd.Lint = append(rd.Lint, fmt.Sprintf("%s %s: %s (%s; in %s)", l.Rule.ID, l.Request, l.Message, strings.Join(ruleSources(l.Rule), ", "), r.Name))
		}
		var rules []string
		for _, b := range r.Broken() {
			rules = append(rules, b.ID)
		}
		ev := "checks " + strings.Join(r.Checks, ", ")
		if len(rules) > 0 {
			ev = "broke " + strings.Join(rules, ", ")
		} else if r.Status == Failed || r.Status == Skipped {
			ev = firstProblem(r)
		}
		rd.Scenarios = append(rd.Scenarios, readinessRow{Item: r.Feature + " › " + r.Name, Status: string(r.Status), Evidence: ev})
	}
	return rd
}

// writeReadiness writes the readiness report, as HTML when path ends in
// .html, else as Markdown.
func writeReadiness(path string, o Options, res Result, failed error) error {
	rd := buildReadiness(o, res, failed)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if strings.HasSuffix(strings.ToLower(path), ".html") {
		err = readinessHTML.Execute(f, rd)
	} else {
		err = readinessMarkdown.Execute(f, rd)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mdCell makes text safe in a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

var readinessMarkdown = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap{"cell": mdCell}).Parse(
	`# Go-live readiness: {{.Target}}

{{.Verdict}}.

tabbysim conform, seed {{.Seed}}, {{.Generated}}. {{.Totals}}. Request lint: {{.Linting}}.
{{if .Failed}}
The run could not check anything: {{.Failed}}
{{end}}
Each item is **verified** (by the scenarios named), **failed** (with the rule broken; RULES.md
quotes each rule and names its public pages), **not run** (no scenario that checks it ran, such as
the Onerway gateway's, whose scenarios are not in the suite yet) or **not observable by a harness**
(and why).
{{range .Lists}}
## {{.Title}}

Source: {{.Source}}
{{range .Sections}}{{if .Name}}
### {{.Name}}
{{end}}
| item | status | evidence |
|---|---|---|
{{range .Rows}}| {{cell .Item}} | {{.Status}} | {{cell .Evidence}} |
{{end}}{{end}}{{end}}
## Requests Tabby's contract does not allow
{{if .Lint}}
{{range .Lint}}- {{.}}
{{end}}{{else}}
None.
{{end}}
## Scenarios

| scenario | status | rules |
|---|---|---|
{{range .Scenarios}}| {{cell .Item}} | {{.Status}} | {{cell .Evidence}} |
{{end}}`))

var readinessHTML = htmltemplate.Must(htmltemplate.New("html").Funcs(htmltemplate.FuncMap{
	// classOf is the CSS class of a status: "not run" → "not-run".
	"classOf": func(s string) string { return strings.ReplaceAll(strings.TrimSuffix(s, " by a harness"), " ", "-") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Go-live readiness: {{.Target}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}
.verified,.passed{color:#176f2c}.failed{color:#b00020;font-weight:bold}.not-run,.skipped{color:#8a6d00}.not-observable{color:#666}
</style></head><body>
<h1>Go-live readiness: {{.Target}}</h1>
<p><strong>{{.Verdict}}.</strong></p>
<p>tabbysim conform, seed {{.Seed}}, {{.Generated}}. {{.Totals}}. Request lint: {{.Linting}}.</p>
{{if .Failed}}<p class="failed">The run could not check anything: {{.Failed}}</p>{{end}}
<p>Each item is <strong>verified</strong> (by the scenarios named), <strong>failed</strong> (with the rule broken; RULES.md
quotes each rule and names its public pages), <strong>not run</strong> (no scenario that checks it ran) or
<strong>not observable by a harness</strong> (and why).</p>
{{range .Lists}}<h2>{{.Title}}</h2>
<p>Source: <a href="{{.Source}}">{{.Source}}</a></p>
{{range .Sections}}{{if .Name}}<h3>{{.Name}}</h3>{{end}}
<table><tr><th>item</th><th>status</th><th>evidence</th></tr>
{{range .Rows}}<tr><td>{{.Item}}</td><td class="{{classOf .Status}}">{{.Status}}</td><td>{{.Evidence}}</td></tr>
{{end}}</table>
{{end}}{{end}}<h2>Requests Tabby's contract does not allow</h2>
{{if .Lint}}<ul>{{range .Lint}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>None.</p>{{end}}
<h2>Scenarios</h2>
<table><tr><th>scenario</th><th>status</th><th>rules</th></tr>
{{range .Scenarios}}<tr><td>{{.Item}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{.Evidence}}</td></tr>
{{end}}</table>
</body></html>
`))
