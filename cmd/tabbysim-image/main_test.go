package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestImage builds the image once, as `make image` does, reads the tarball
// back as `docker load` would, checks how it runs, and runs the binary it
// holds: static, stamped with the version, serving and answering its own
// health check.
func TestImage(t *testing.T) {
	const version = "v0.0.0-imagetest"
	out := filepath.Join(t.TempDir(), "image.tar")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--out", out, "--version", version}, &stdout, &stderr); code != 0 {
		t.Fatalf("tabbysim-image: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}

	manifest, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(out) })
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 1 || !slices.Equal(slices.Sorted(slices.Values(manifest[0].RepoTags)), []string{"tabbysim:latest", "tabbysim:" + version}) {
		t.Errorf("manifest.json: %+v, want one image tagged tabbysim:latest and tabbysim:%s", manifest, version)
	}
	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("platform %s/%s, want linux/amd64", cf.OS, cf.Architecture)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want the non-root 65532:65532", c.User)
	}
	if len(c.ExposedPorts) != 1 || c.ExposedPorts["4600/tcp"] != struct{}{} {
		t.Errorf("exposed ports %v, want 4600/tcp", c.ExposedPorts)
	}
	if want := []string{"/tabbysim", "serve", "--addr", "0.0.0.0:4600", "--public-url", "http://127.0.0.1:4600"}; !slices.Equal(c.Entrypoint, want) {
		t.Errorf("entrypoint %q, want %q", c.Entrypoint, want)
	}
	if c.Healthcheck == nil || !slices.Equal(c.Healthcheck.Test, []string{"CMD", "/tabbysim", "health"}) || c.Healthcheck.Interval <= 0 {
		t.Errorf("health check %+v, want tabbysim health run by the binary", c.Healthcheck)
	}
	if c.WorkingDir != "/data" || c.Labels["org.opencontainers.image.version"] != version {
		t.Errorf("working directory %q, labels %v", c.WorkingDir, c.Labels)
	}

	// The one layer: the binary, executable, and /data for the user.
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	bin := filepath.Join(t.TempDir(), "tabbysim")
	seen := map[string]bool{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Name] = true
		switch h.Name {
		case "tabbysim":
			if h.Typeflag != tar.TypeReg || h.Mode&0o111 != 0o111 || h.Uid != 0 {
				t.Errorf("tabbysim in the layer: type %c, mode %o, uid %d; want a root-owned file everyone can execute", h.Typeflag, h.Mode, h.Uid)
			}
			f, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			f.Close()
		case "data/":
			if h.Typeflag != tar.TypeDir || h.Uid != 65532 || h.Gid != 65532 {
				t.Errorf("data/ in the layer: type %c, owner %d:%d; want a directory of 65532:65532", h.Typeflag, h.Uid, h.Gid)
			}
		}
	}
	if !seen["tabbysim"] || !seen["data/"] {
		t.Fatalf("the layer holds %v, want tabbysim and data/", seen)
	}

	// Static: an empty base has no dynamic loader or C library.
	ef, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the binary asks for a dynamic loader")
		}
	}
	if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary links %v", libs)
	}
	ef.Close()

	if out, err := exec.Command(bin, "version").Output(); err != nil || string(out) != "tabbysim "+version+"\n" {
		t.Errorf("tabbysim version printed %q (%v), want the stamped %s", out, err, version)
	}

	// The entrypoint as `docker run IMAGE --addr …` runs it, on a free
	// port; its version header and its health check.
	serve := exec.Command(bin, append(c.Entrypoint[1:], "--addr", "127.0.0.1:0", "--clock", "manual")...)
	pipe, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer serve.Process.Kill()
	listening := regexp.MustCompile(`^tabbysim listening on (http://127\.0\.0\.1:\d+)$`)
	lines := bufio.NewScanner(pipe)
	var base string
	for base == "" && lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("the entrypoint printed no listening line (%v)", lines.Err())
	}
	go io.Copy(io.Discard, pipe)
	res, err := (&http.Client{Timeout: 5 * time.Second}).Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("X-Tabbysim-Version"); res.StatusCode != http.StatusOK || got != version {
		t.Errorf("GET /healthz: %d, X-Tabbysim-Version %q; want 200 and %s", res.StatusCode, got, version)
	}
	check := append(slices.Clone(c.Healthcheck.Test[2:]), "--url", base)
	if out, err := exec.Command(bin, check...).CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "healthy: ") {
		t.Errorf("the health check %q: %v, %q", check, err, out)
	}
	if err := serve.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := serve.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}
