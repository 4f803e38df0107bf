# netscript: run `make article` to replay the veth-pair tutorial, `make test`
# for the whole suite. Both need root, or unprivileged user namespaces
# (netscript re-runs itself in one; go test skips without privileges).

GO          ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION ?= v0.8.2

.PHONY: build test stress article lint staticcheck fuzz bench screenshot docs

build:
	$(GO) build -o netscript ./cmd/netscript

# The README's test command; CI runs it too.
test:
	$(GO) test -race -count=1 ./...

# The suite, -race -count=$(STRESS_COUNT), while two CPU hogs run and
# another process adds and deletes namespaces in the host's /run/netns every
# 50 ms (.ci/stress; root needed). It must be as green as make test.
STRESS_COUNT ?= 3
stress:
	GO=$(GO) STRESS_COUNT=$(STRESS_COUNT) .ci/stress

# README.md's command reference, from the command table (between its
# marker comments); internal/cli's TestREADMECommandReference fails when
# they drift.
docs:
	$(GO) run ./internal/cli/gendocs README.md

# The tutorial scenario, verbosely: every command and its output.
article:
	$(GO) run ./cmd/netscript run -v scenarios/veth-pair.txtar

# An HTML report holding a failure (testdata/report), photographed by
# headless Chromium (apt-get install chromium; manual, not in CI: too heavy
# for it). Writes SCREENSHOT_DIR/index.png and failure.png.
SCREENSHOT_DIR ?= /tmp/netscript-screenshot
CHROMIUM ?= chromium
CHROMIUM_FLAGS = --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --window-size=1280,1600
screenshot: build
	rm -rf $(SCREENSHOT_DIR) && mkdir -p $(SCREENSHOT_DIR)
	./netscript run -html $(SCREENSHOT_DIR)/report scenarios/veth-pair.txtar scenarios/bridge.txtar \
		testdata/report/forgotten-route.txtar; test $$? -eq 1
	@set -e; profile=$$(mktemp -d); trap 'rm -rf "$$profile"' EXIT; \
	$(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir="$$profile" --screenshot=$(SCREENSHOT_DIR)/index.png \
		file://$(SCREENSHOT_DIR)/report/index.html; \
	$(CHROMIUM) $(CHROMIUM_FLAGS) --user-data-dir="$$profile" --screenshot=$(SCREENSHOT_DIR)/failure.png \
		file://$(SCREENSHOT_DIR)/report/scenarios/forgotten-route.html
	@ls -l $(SCREENSHOT_DIR)/index.png $(SCREENSHOT_DIR)/failure.png

lint: staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

staticcheck:
	@test -x $(STATICCHECK) || GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Benchmarks against the shell twins in bench/ (root and the real tools
# needed); writes BENCHMARKS.md and bench/cost.svg. Not run by CI.
BENCH_COUNT ?= 5
bench:
	@[ ! -f bench/bench.out ] || cp bench/bench.out bench/bench.before.out
	$(GO) test ./bench -run '^$$' -bench . -benchtime 1x -count $(BENCH_COUNT) -timeout 60m | tee bench/bench.out
	$(GO) run ./bench/report -in bench/bench.out -md BENCHMARKS.md -svg bench/cost.svg -findings bench/findings.md -before bench/bench.before.out

# Every fuzz target for FUZZTIME each: a duration (locally, e.g. 10m) or an
# execution count such as 20000x. CI uses a count: Go 1.26's fuzz
# coordinator can fail a duration run with a bare "context deadline
# exceeded" at the boundary on a loaded machine (go.dev/issue/75804, fixed
# in Go 1.27), while a count has no deadline to race. What a run finds is
# kept under the package's testdata/fuzz/ and replayed by `make test`.
FUZZTIME ?= 1m
FUZZ_TARGETS = ./internal/commands:FuzzTableParse ./runner:FuzzReadArchive \
	./internal/lint:FuzzScenario ./internal/topology:FuzzRead \
	./internal/iproute:FuzzParse ./internal/iproute:FuzzEffects \
	./internal/scenariofile:FuzzRead ./internal/scenariofile:FuzzLexMatchesTestscript \
	./internal/rtattr:FuzzParse

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzz $${t%%:*} $${t##*:} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t##*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}"; \
	done
