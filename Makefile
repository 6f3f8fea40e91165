# CloudPage Gate. `make demo` runs the whole flow locally; `make test` runs
# every test. Both install what they need (npm packages with `npm ci`).

GO       ?= go
NODE     ?= node
# How long `make fuzz` runs each fuzz target; `make test` runs them briefly.
FUZZTIME ?= 30s
# The browser tests drive Debian's Chromium.
CHROMIUM ?= /usr/bin/chromium

GOFILES := $(shell find shared worker -name '*.go' -not -name '*_test.go') go.mod go.sum

# What is built, all under wasm/build (git-ignored).
WASM        := wasm/build/gate.wasm
WASMEXEC    := wasm/build/wasm_exec.js
HOOKS       := wasm/build/hooks/gate.wasm wasm/build/hooks-entry.mjs
MCFAKE      := wasm/build/mcfake
CHECKCONFIG := wasm/build/checkconfig

# syumai/workers' wasm_exec.js hands the Go program a runtime context
# (env, ctx, binding); its version follows go.mod.
WORKERS_DIR = $(shell $(GO) list -m -f '{{.Dir}}' github.com/syumai/workers)

# Packages built without inlining, which keeps the gzipped Worker within
# its budget (docs/performance.md, "Bundle size"). Our own packages lose
# 18 KiB and measured no slower. The rest is code that no request runs:
# public-key crypto, X.509, JSON and ASN.1 decoding, math/big, fmt and
# reflect, linked through the initialization of net/http's TLS and of
# gjson's modifiers; together about 75 KiB. AES, GCM, SHA-256 and the
# runtime keep their inlining.
NOINLINE := github.com/cloudpage-gate/gate/... crypto/x509/... \
	crypto/internal/fips140/nistec/... crypto/internal/fips140/ecdsa \
	crypto/internal/fips140/rsa crypto/internal/fips140/edwards25519/... \
	crypto/internal/fips140/mlkem crypto/internal/fips140/bigmod \
	encoding/json encoding/asn1 math/big fmt reflect
WASMFLAGS := -trimpath -ldflags='-s -w' $(foreach p,$(NOINLINE),-gcflags='$(p)=-l')

.PHONY: all build test unit e2e chromium vet deps demo bench fuzz key check-config size clean

all: build

# The Worker: the Go program and the wasm_exec.js wrangler.toml's main loads.
build: $(WASM) $(WASMEXEC)

test: deps vet unit build size e2e
	$(MAKE) fuzz FUZZTIME=2s

demo: build deps $(MCFAKE)
	$(NODE) wasm/tools/demo.mjs

$(WASM): $(GOFILES)
	@mkdir -p $(dir $@)
	GOOS=js GOARCH=wasm $(GO) build $(WASMFLAGS) -o $@ ./worker

$(WASMEXEC): go.mod
	@mkdir -p $(dir $@)
	cp $(WORKERS_DIR)/cmd/workers-assets-gen/assets/wasm_exec_go.js $@

# The same program with failure hooks, and an entry module that loads it,
# for the end-to-end tests of panics and exits (worker/hooks.go).
wasm/build/hooks/gate.wasm: $(GOFILES)
	@mkdir -p $(dir $@)
	GOOS=js GOARCH=wasm $(GO) build -tags gatehooks $(WASMFLAGS) -o $@ ./worker
wasm/build/hooks-entry.mjs: wasm/entry.mjs
	@mkdir -p $(dir $@)
	sed -e 's|"./build/wasm_exec.js"|"./wasm_exec.js"|' -e 's|"./build/gate.wasm"|"./hooks/gate.wasm"|' $< > $@

$(MCFAKE): $(GOFILES)
	@mkdir -p $(dir $@)
	$(GO) build -o $@ ./shared/cmd/mcfake

$(CHECKCONFIG): $(GOFILES)
	@mkdir -p $(dir $@)
	$(GO) build -o $@ ./shared/cmd/checkconfig

# node_modules is reinstalled only when the lock file changes.
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# .ci/run installs Chromium; here it is installed when missing and we may
# (as root, with apt-get).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium, or set CHROMIUM=/path"; exit 1; \
	  fi; }

vet:
	$(GO) vet ./shared/...
	GOOS=js GOARCH=wasm $(GO) vet ./worker/...

unit:
	$(GO) test -count=1 ./shared/...

# The built Worker in workerd (Miniflare), with the fake Marketing Cloud and
# CloudPage on loopback, and in Chromium.
e2e: build deps chromium $(MCFAKE) $(HOOKS) $(CHECKCONFIG)
	CHROMIUM=$(CHROMIUM) $(NODE) --test --test-concurrency=1 wasm/test/*.test.mjs

# Every fuzz target in shared/, one after the other, for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./shared/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg >/dev/null || \
	      { $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; exit 1; }; \
	  done; \
	done

# The bundle's gzip size as wrangler reports it, against the 1.8 MiB budget.
size: build deps
	$(NODE) wasm/tools/size.mjs

# The gate against a JavaScript pass-through Worker in workerd, one
# decision of the built program in V8, then the native benchmarks of the
# hot path. Results: docs/performance.md.
bench: build deps $(MCFAKE)
	$(NODE) wasm/bench/bench.mjs
	$(NODE) wasm/bench/decide.mjs
	$(GO) test -run='^$$' -bench=. -benchmem ./shared/...

# Checks a wrangler environment's settings the way the Worker does:
#   make check-config ENV=production
check-config: deps $(CHECKCONFIG)
	@$(NODE) wasm/tools/check-config.mjs $(ENV)

key:
	@$(NODE) -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))'

clean:
	rm -rf wasm/build .wrangler
