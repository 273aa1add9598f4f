package conformance

import (
	"encoding/xml"
	"fmt"
	"os"
	"strings"
	"time"
)

// The JUnit XML elements, as the common JUnit schema (the Jenkins xunit
// plugin's junit-10.xsd) defines them, and nothing more: CI tools read
// the report against it.
type (
	junitSuites struct {
		XMLName xml.Name     `xml:"testsuites"`
		Name    string       `xml:"name,attr"`
		Tests   int          `xml:"tests,attr"`
		Fails   int          `xml:"failures,attr"`
		Errors  int          `xml:"errors,attr"`
		Time    string       `xml:"time,attr"`
		Suites  []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name    string      `xml:"name,attr"`
		Tests   int         `xml:"tests,attr"`
		Fails   int         `xml:"failures,attr"`
		Errors  int         `xml:"errors,attr"`
		Skipped int         `xml:"skipped,attr"`
		Time    string      `xml:"time,attr"`
		Cases   []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr,omitempty"`
		Skipped   *junitProblem `xml:"skipped"`
		Error     *junitProblem `xml:"error"`
		Failure   *junitProblem `xml:"failure"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitProblem struct {
		Type    string `xml:"type,attr,omitempty"`
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
)

const suiteName = "tabbysim conformance"

// writeJUnit writes the JUnit report of a run: a test suite per feature, a
// test case per scenario (classname its feature). A scenario that broke a
// rule is a failure, whose type is the rule's id; one that failed without
// naming a rule (an undefined step, an arrangement that did not hold, a
// target that did not answer) an error; one whose steps were skipped is
// skipped. A run that could not check anything (failed) is one errored
// test case saying why, so that CI counts it as broken, never as an empty
// pass or as the report a former run left.
func writeJUnit(path string, results []ScenarioResult, failed error) error {
	var r junitSuites
	if failed != nil {
		c := junitCase{Name: "run the conformance suite", Classname: suiteName,
			Error: &junitProblem{Type: "error", Message: failed.Error(), Text: failed.Error()}}
		r = junitSuites{Name: suiteName, Tests: 1, Errors: 1, Time: "0",
			Suites: []junitSuite{{Name: suiteName, Tests: 1, Errors: 1, Time: "0", Cases: []junitCase{c}}}}
	} else {
		r = junitReport(results)
	}
	b, err := xml.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}

func junitReport(results []ScenarioResult) junitSuites {
	r := junitSuites{Name: suiteName}
	var total time.Duration
	var times []time.Duration // of each suite
	byFeature := map[string]int{}
	for _, res := range results {
		i, ok := byFeature[res.Feature]
		if !ok {
			i = len(r.Suites)
			byFeature[res.Feature] = i
			r.Suites = append(r.Suites, junitSuite{Name: res.Feature})
			times = append(times, 0)
		}
		s := &r.Suites[i]
		c := junitCase{Name: res.Name, Classname: res.Feature, Time: seconds(res.Duration)}
		var details strings.Builder
		writeScenario(&details, res, false)
		switch broken := res.Broken(); {
		case res.Status == Failed && len(broken) > 0:
			ids := make([]string, len(broken))
			for i, b := range broken {
				ids[i] = b.ID
			}
			c.Failure = &junitProblem{Type: strings.Join(ids, " "), Message: firstProblem(res), Text: details.String()}
			s.Fails++
		case res.Status == Failed:
			c.Error = &junitProblem{Type: "error", Message: firstProblem(res), Text: details.String()}
			s.Errors++
		case res.Status == Skipped:
			c.Skipped = &junitProblem{Message: firstProblem(res)}
			s.Skipped++
		case len(res.Lint) > 0:
			c.SystemOut = details.String()
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
		times[i] += res.Duration
		total += res.Duration
	}
	for i := range r.Suites {
		s := &r.Suites[i]
		s.Time = seconds(times[i])
		r.Tests += s.Tests
		r.Fails += s.Fails
		r.Errors += s.Errors
	}
	r.Time = seconds(total)
	return r
}

// firstProblem says in one line why a scenario failed or was skipped.
func firstProblem(r ScenarioResult) string {
	for _, s := range r.Steps {
		if f := s.Finding; f != nil {
			if f.Rule.Says == "" {
				return s.Text + ": " + f.Instead
			}
			return ruleLine(f.Rule) + "; instead " + f.Instead
		}
	}
	if len(r.Lint) > 0 {
		l := r.Lint[0]
		return ruleLine(l.Rule) + "; instead " + l.Request + ": " + l.Message
	}
	if r.Status == Skipped {
		return "steps were skipped"
	}
	return ""
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
