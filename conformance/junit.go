package conformance

import (
	"encoding/xml"
	"os"
)

// The JUnit XML elements, as the common JUnit schema (the Jenkins xunit
// plugin's junit-10.xsd) defines them.
type (
	junitSuites struct {
		XMLName xml.Name     `xml:"testsuites"`
		Name    string       `xml:"name,attr"`
		Tests   int          `xml:"tests,attr"`
		Fails   int          `xml:"failures,attr"`
		Errors  int          `xml:"errors,attr"`
		Suites  []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name   string      `xml:"name,attr"`
		Tests  int         `xml:"tests,attr"`
		Fails  int         `xml:"failures,attr"`
		Errors int         `xml:"errors,attr"`
		Cases  []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Error     *junitProblem `xml:"error"`
	}
	junitProblem struct {
		Type    string `xml:"type,attr"`
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
)

const suiteName = "tabbysim conformance"

// writeJUnitError writes the JUnit report of a run that could not check
// anything: one errored test case saying why, so that CI counts the run as
// broken, never as an empty pass or as the report a former run left.
func writeJUnitError(path string, why error) error {
	c := junitCase{Name: "run the conformance suite", Classname: suiteName,
		Error: &junitProblem{Type: "error", Message: why.Error(), Text: why.Error()}}
	r := junitSuites{Name: suiteName, Tests: 1, Errors: 1,
		Suites: []junitSuite{{Name: suiteName, Tests: 1, Errors: 1, Cases: []junitCase{c}}}}
	b, err := xml.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644)
}
