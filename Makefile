# CloudPage Gate. `make demo` runs the whole flow locally; `make test` runs
# every test. Both install what they need (npm packages with `npm ci`).

GO       ?= go
NODE     ?= node
WASM     := wasm/build/gate.wasm
WASMEXEC := wasm/build/wasm_exec.js
GOFILES  := $(shell find shared worker -name '*.go' -not -name '*_test.go') go.mod go.sum
# syumai/workers' wasm_exec.js hands the Go program a runtime context
# (env, ctx, binding); its version follows go.mod.
WORKERS_DIR = $(shell $(GO) list -m -f '{{.Dir}}' github.com/syumai/workers)

.PHONY: all build test unit e2e browser vet deps demo bench fuzz key check-config size clean

all: build

build: $(WASM) $(WASMEXEC)

$(WASM): $(GOFILES)
	@mkdir -p $(dir $@)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./worker

$(WASMEXEC): go.mod
	@mkdir -p $(dir $@)
	cp $(WORKERS_DIR)/cmd/workers-assets-gen/assets/wasm_exec_go.js $@

# node_modules is reinstalled only when the lock file changes.
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

vet:
	$(GO) vet ./shared/...
	GOOS=js GOARCH=wasm $(GO) vet ./worker/...

unit:
	$(GO) test -count=1 ./shared/...

e2e: build deps $(MCFAKE)
	$(NODE) --test --test-concurrency=1 wasm/test/*.test.mjs

test: deps vet unit build e2e

clean:
	rm -rf wasm/build .wrangler

MCFAKE := wasm/build/mcfake
$(MCFAKE): $(GOFILES)
	@mkdir -p $(dir $@)
	$(GO) build -o $@ ./shared/cmd/mcfake

demo: build deps $(MCFAKE)
	$(NODE) wasm/tools/demo.mjs

key:
	@$(NODE) -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))'
