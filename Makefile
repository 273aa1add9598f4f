# tabbysim: `make run` starts the simulator, `make test` passes the tests,
# `make bench` measures it and writes BENCHMARKS.md.
GO ?= go
ARGS ?=
# The version `make build` and `make image` stamp into the binary (empty:
# the build info's, see simulator.Version).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS = $(if $(VERSION),-X github.com/tabbysim/tabbysim/simulator.Version=$(VERSION))

BENCH_ARGS ?=

.PHONY: run build image test bench gobench fmt vet fuzz screenshots

run:
	$(GO) run ./cmd/tabbysim serve $(ARGS)

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/tabbysim ./cmd/tabbysim

# A container image as a tarball for `docker load`, built without Docker.
image:
	$(GO) run ./cmd/tabbysim-image --version "$(VERSION)" --out bin/tabbysim-image.tar

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

# The simulator beside a bare net/http server (and WireMock, when
# `npm install --no-save wiremock` or --wiremock-jar gives a jar), in one run.
bench: build
	bin/tabbysim bench $(BENCH_ARGS)

# The Go benchmarks of the packages.
gobench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The README's screenshots of the hosted page and the dashboard, taken in
# Chromium by a test, into simulator/dashboard/screenshots.
screenshots:
	$(GO) test -count=1 -run '^TestBrowser_Screenshots$$' ./simulator/dashboard/ -args -screenshots screenshots

fmt:
	gofmt -w $$(git ls-files '*.go')

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeCheckout -fuzztime 30s ./simulator/tabby/tabbyapi/
