// Command tabbysim-image builds tabbysim's container image without a Docker
// daemon or a registry: it compiles a static, pure-Go linux/amd64 binary
// (CGO_ENABLED=0), puts it in one layer on an empty base, and writes the
// image as a tarball that `docker load` accepts. `make image` runs it:
//
//	go run ./cmd/tabbysim-image --version v1.2.0 --out bin/tabbysim-image.tar
//	docker load -i bin/tabbysim-image.tar
//
// The Dockerfile at the root builds the same image with Docker.
package main

import (
	"archive/tar"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// What the image holds and how it runs; the Dockerfile says the same.
const (
	binaryPath = "/tabbysim"
	dataDir    = "/data" // the working directory, writable by the user, for --data files
	user       = 65532   // non-root, as distroless's "nonroot"
	port       = "4600/tcp"
)

// entrypoint serves on every interface of the container; web_url and
// redirects point at 127.0.0.1:4600, where `docker run -p 4600:4600` puts
// it on the host. Arguments to `docker run` come after and win.
var entrypoint = []string{binaryPath, "serve", "--addr", "0.0.0.0:4600", "--public-url", "http://127.0.0.1:4600"}

// healthcheck runs the binary itself: the image has no shell or curl.
var healthcheck = &v1.HealthConfig{
	Test:     []string{"CMD", binaryPath, "health"},
	Interval: 10 * time.Second, Timeout: 5 * time.Second, StartPeriod: 5 * time.Second, Retries: 3,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tabbysim-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "bin/tabbysim-image.tar", "where to write the image tarball")
	version := fs.String("version", "", "the version stamped in the binary, a label and a tag (default: the build info's)")
	repo := fs.String("repo", "tabbysim", "the image's repository; it is tagged latest and with --version")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	tags, err := imageTags(*repo, *version)
	if err != nil {
		fmt.Fprintln(stderr, "tabbysim-image:", err)
		return 2
	}
	img, err := build(ctx, *version)
	if err == nil {
		err = write(*out, img, tags)
	}
	if err != nil {
		fmt.Fprintln(stderr, "tabbysim-image:", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s (linux/amd64), tagged", *out)
	for _, t := range tags {
		fmt.Fprintf(stdout, " %s", t)
	}
	fmt.Fprintf(stdout, "\nload it with: docker load -i %s\n", *out)
	return 0
}

// imageTags are repo:latest and repo:version.
func imageTags(repo, version string) ([]name.Tag, error) {
	names := []string{repo + ":latest"}
	if version != "" {
		names = append(names, repo+":"+version)
	}
	var tags []name.Tag
	for _, n := range names {
		t, err := name.NewTag(n)
		if err != nil {
			return nil, fmt.Errorf("--repo or --version does not make an image tag: %w", err)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// build compiles the binary and assembles the image around it.
func build(ctx context.Context, version string) (v1.Image, error) {
	binary, err := compile(ctx, version)
	if err != nil {
		return nil, err
	}
	created := time.Now().UTC().Truncate(time.Second)
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" { // reproducible builds
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		created = time.Unix(sec, 0).UTC()
	}
	layer, err := rootfs(binary, created)
	if err != nil {
		return nil, err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, History: v1.History{
		Created: v1.Time{Time: created}, CreatedBy: "tabbysim-image", Comment: "the tabbysim binary and " + dataDir,
	}})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", "amd64", v1.Time{Time: created}
	uid := strconv.Itoa(user)
	cf.Config = v1.Config{
		User:         uid + ":" + uid,
		ExposedPorts: map[string]struct{}{port: {}},
		Entrypoint:   entrypoint,
		WorkingDir:   dataDir,
		Healthcheck:  healthcheck,
		Labels: map[string]string{
			"org.opencontainers.image.title":       "tabbysim",
			"org.opencontainers.image.description": "A sandbox of the Tabby API with a conformance harness for merchant integrations",
			"org.opencontainers.image.source":      "https://github.com/tabbysim/tabbysim",
			"org.opencontainers.image.licenses":    "MIT",
		},
	}
	if version != "" {
		cf.Config.Labels["org.opencontainers.image.version"] = version
	}
	return mutate.ConfigFile(img, cf)
}

// compile builds cmd/tabbysim for linux/amd64 without cgo, so it runs on
// an empty base, and returns the binary.
func compile(ctx context.Context, version string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "tabbysim-image")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "tabbysim")
	args := []string{"build", "-trimpath", "-o", bin}
	if version != "" {
		args = append(args, "-ldflags", "-X github.com/tabbysim/tabbysim/simulator.Version="+version)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "github.com/tabbysim/tabbysim/cmd/tabbysim")...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	return os.ReadFile(bin)
}

// rootfs is the image's one layer: the binary, owned by root and
// executable by all, and the data directory, owned by the user.
func rootfs(binary []byte, modTime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entries := []struct {
		hdr  tar.Header
		body []byte
	}{
		{tar.Header{Typeflag: tar.TypeDir, Name: dataDir[1:] + "/", Mode: 0o755, Uid: user, Gid: user}, nil},
		{tar.Header{Typeflag: tar.TypeReg, Name: binaryPath[1:], Mode: 0o755, Size: int64(len(binary))}, binary},
	}
	for _, e := range entries {
		e.hdr.ModTime = modTime
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	layer := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layer)), nil
	})
}

// write writes the image as a `docker load` tarball with its tags, through
// a temporary file so a failed build leaves no half-written image.
func write(out string, img v1.Image, tags []name.Tag) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	refs := map[name.Reference]v1.Image{}
	for _, t := range tags {
		refs[t] = img
	}
	tmp := out + ".tmp"
	if err := tarball.MultiRefWriteToFile(tmp, refs); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, out)
}
