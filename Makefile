# bangfu — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
DB      ?= ./data/bangfu.db
ADDR    ?= 127.0.0.1:8080
BIN     := bin/bangfu

.PHONY: run build test bench lint fuzz screenshots clean

build:
	$(GO) build -o $(BIN) ./cmd/bangfu

# The server with demo data on an embedded SQLite file, at http://127.0.0.1:8080/.
run: build
	$(BIN) serve --demo --db $(DB) --addr $(ADDR)

# Every test: vet, then the race detector over all packages (browser tests run when Chromium is present;
# with BANGFU_E2E=1 they fail when it is not).
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 25m ./...

# One table of the SPEC §10 figures beside raw SQLite doing the same work in the same run
# (internal/benchkit registers them; cmd/benchtable runs them). Fails only on a wrong answer or a 5xx.
bench:
	$(GO) run ./cmd/benchtable

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# The guides' screenshots (docs/guide/img), taken by the browser test on the demo data; commit them.
screenshots:
	BANGFU_E2E=1 BANGFU_SCREENSHOTS=1 $(GO) test -count=1 -run 'TestBrowser_GuideScreenshots|TestGuide_' ./internal/e2e

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseResidentID -fuzztime 30s ./internal/ident

clean:
	rm -rf bin data
