# tabbysim: `make run` starts the simulator, `make test` passes the tests,
# `make bench` measures it and writes BENCHMARKS.md.
GO ?= go
ARGS ?=
BENCH_ARGS ?=

.PHONY: run build test bench gobench fmt vet fuzz

run:
	$(GO) run ./cmd/tabbysim serve $(ARGS)

build:
	$(GO) build -o bin/tabbysim ./cmd/tabbysim

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

fmt:
	gofmt -w $$(git ls-files '*.go')

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeCheckout -fuzztime 30s ./simulator/tabby/
