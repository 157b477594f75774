# bangfu — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
DB      ?= ./data/bangfu.db
ADDR    ?= 127.0.0.1:8080
BIN     := bin/bangfu

.PHONY: run build test bench lint fuzz clean

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

# Throughput figures beside raw SQLite doing the same writes on this machine, in the same run.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s -timeout 30m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseResidentID -fuzztime 30s ./internal/ident

clean:
	rm -rf bin data
