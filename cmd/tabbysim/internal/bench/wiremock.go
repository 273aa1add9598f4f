package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wiremockFlags start WireMock as a load test would: without the request
// journal, which otherwise keeps every request in memory.
var wiremockFlags = []string{"--no-request-journal", "--disable-banner"}

// FindWireMockJar returns explicit when set, else the standalone jar that
// `npm install wiremock` puts under node_modules/wiremock, else "".
func FindWireMockJar(explicit string) string {
	if explicit != "" {
		return explicit
	}
	for _, pattern := range []string{"node_modules/wiremock/build/wiremock-standalone-*.jar", "node_modules/wiremock/*/wiremock-standalone-*.jar"} {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			return m[len(m)-1]
		}
	}
	return ""
}

// wiremock is a WireMock standalone server serving static stubs.
type wiremock struct {
	URL     string
	Version string
	cmd     *exec.Cmd
	exited  chan struct{}
	log     bytes.Buffer
}

// startWireMock runs jar on a free loopback port and waits until its admin
// API answers.
func startWireMock(ctx context.Context, jar string) (*wiremock, error) {
	if _, err := os.Stat(jar); err != nil {
		return nil, err
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("java is not on PATH")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	w := &wiremock{URL: "http://127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{})}
	args := append([]string{"-jar", jar, "--port", strconv.Itoa(port), "--bind-address", "127.0.0.1"}, wiremockFlags...)
	w.cmd = exec.Command(java, args...)
	w.cmd.Stdout, w.cmd.Stderr = &w.log, &w.log
	if err := w.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = w.cmd.Wait(); close(w.exited) }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var v struct {
			Version string `json:"version"`
		}
		if err := w.admin(ctx, http.MethodGet, "/__admin/version", nil, &v); err == nil {
			w.Version = v.Version
			return w, nil
		}
		select {
		case <-w.exited:
			return nil, fmt.Errorf("WireMock exited: %s", excerpt(w.log.Bytes()))
		case <-ctx.Done():
			w.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			w.Close()
			return nil, errors.New("WireMock did not answer within 90s")
		}
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (w *wiremock) admin(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.URL+path, body)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("WireMock %s %s: %d: %s", method, path, resp.StatusCode, excerpt(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// stub makes WireMock answer s's route with s's recorded answer, a static
// stub through its admin API.
func (w *wiremock) stub(ctx context.Context, s stub) error {
	headers := map[string]string{}
	for k, v := range s.header {
		headers[k] = strings.Join(v, ", ")
	}
	req := map[string]any{"method": s.method}
	if strings.Contains(s.wiremock, "[") {
		req["urlPathPattern"] = s.wiremock
	} else {
		req["urlPath"] = s.wiremock
	}
	mapping := map[string]any{
		"request":  req,
		"response": map[string]any{"status": s.status, "body": string(s.body), "headers": headers},
	}
	return w.admin(ctx, http.MethodPost, "/__admin/mappings", mapping, nil)
}

func (w *wiremock) Close() {
	_ = w.cmd.Process.Signal(os.Interrupt)
	select {
	case <-w.exited:
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
}

// wireMockFor loads the case's stubs into WireMock and warms it up, or says
// in the row why WireMock stands in for it not.
func (b *bencher) wireMockFor(ctx context.Context, s spec, row *Row) *wiremock {
	switch {
	case s.noWireMock != "":
		row.WireMockNote = s.noWireMock
		return nil
	case b.wm == nil:
		row.WireMockNote = b.r.WireMock
		return nil
	}
	for _, st := range s.stubs {
		if err := b.wm.stub(ctx, st); err != nil {
			row.WireMockNote = "not measured (" + err.Error() + ")"
			b.problem("%s: %s", s.title, row.WireMockNote)
			return nil
		}
	}
	// The JVM compiles what runs hot: warm it before measuring.
	drive(ctx, b.o.Conns[len(b.o.Conns)-1], max(min(b.o.Duration, 2*time.Second), 300*time.Millisecond), s.stand(b.wm.URL))
	return b.wm
}
