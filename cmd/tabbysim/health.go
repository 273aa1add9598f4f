package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"time"
)

// health asks a simulator's GET /healthz: the container image's health
// check, since the image has no shell or curl.
func health(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(&healthHelp)
	base := fs.String("url", "http://127.0.0.1:4600", "the simulator's base URL")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.fail(stderr, fmt.Sprintf("unexpected arguments %q", fs.Args()))
		return 2
	}
	if !strings.HasPrefix(*base, "http://") && !strings.HasPrefix(*base, "https://") {
		fs.fail(stderr, fmt.Sprintf("--url must start with http:// or https://, got %q", *base))
		return 2
	}
	url := strings.TrimRight(*base, "/") + "/healthz"
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fs.fail(stderr, fmt.Sprintf("--url: %v", err))
		return 2
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the method and URL, said already
		}
		fmt.Fprintf(stderr, "tabbysim health: unhealthy: no answer from %s: %v\n", url, err)
		return 1
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	var answer struct {
		Status string `json:"status"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &answer) != nil || answer.Status != "ok" {
		fmt.Fprintf(stderr, "tabbysim health: unhealthy: GET %s answered %s: %s\n", url, res.Status, strings.TrimSpace(string(body)))
		return 1
	}
	fmt.Fprintf(stdout, "healthy: GET %s answered %s", url, res.Status)
	if v := res.Header.Get("X-Tabbysim-Version"); v != "" {
		fmt.Fprintf(stdout, " (tabbysim %s)", v)
	}
	fmt.Fprintln(stdout)
	return 0
}
