# tabbysim: `make run` starts the simulator, `make test` passes the tests.
GO ?= go
ARGS ?=

.PHONY: run build test bench fmt vet fuzz

run:
	$(GO) run ./cmd/tabbysim serve $(ARGS)

build:
	$(GO) build -o bin/tabbysim ./cmd/tabbysim

test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeCheckout -fuzztime 30s ./simulator/tabby/tabbyapi/
