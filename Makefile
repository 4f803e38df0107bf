# netscript: run `make article` to replay the veth-pair tutorial, `make test`
# for the whole suite. Both need root (or CAP_SYS_ADMIN + CAP_NET_ADMIN).

GO          ?= go
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION ?= v0.8.2

.PHONY: build test article lint staticcheck

build:
	$(GO) build ./...

# The README's test command; CI runs it too.
test:
	$(GO) test -race -count=1 ./...

# The tutorial scenario, verbosely: every command and its output.
article:
	$(GO) test -count=1 -v -run 'TestScenarios/veth-pair$$' .

lint: staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

staticcheck:
	@test -x $(STATICCHECK) || GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
