# netscript: run `make article` to replay the veth-pair tutorial, `make test`
# for the whole suite. Both need root, or unprivileged user namespaces
# (netscript re-runs itself in one; go test skips without privileges).

GO          ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION ?= v0.8.2

.PHONY: build test article lint staticcheck

build:
	$(GO) build -o netscript ./cmd/netscript

# The README's test command; CI runs it too.
test:
	$(GO) test -race -count=1 ./...

# The tutorial scenario, verbosely: every command and its output.
article:
	$(GO) run ./cmd/netscript run -v scenarios/veth-pair.txtar

lint: staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

staticcheck:
	@test -x $(STATICCHECK) || GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
