// The tools of the README: the pre-deploy check.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { root } from "./harness.mjs";

function checkConfig(env, extra = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !["MC_CLIENT_SECRET", "SESSION_KEYS", "ORIGIN_SECRET"].includes(k)));
  try {
    const out = execFileSync("node", [path.join(root, "wasm/tools/check-config.mjs"), env], {
      cwd: root, encoding: "utf8", env: { ...clean, ...extra, WRANGLER_SEND_METRICS: "false" },
    });
    return { code: 0, out };
  } catch (err) {
    return { code: err.status, out: err.stdout };
  }
}

describe("make check-config", () => {
  it("says what the production example still lacks, by variable", () => {
    const { code, out } = checkConfig("production");
    assert.equal(code, 1);
    assert.match(out, /MC_SUBDOMAIN: is required/);
    assert.match(out, /MC_CLIENT_ID: is required/);
    assert.match(out, /MC_CLIENT_SECRET: a secret, not checked here/);
  });

  it("checks secrets exported in the shell, without showing them", () => {
    const { code, out } = checkConfig("production", { SESSION_KEYS: "bm90LTMyLWJ5dGVz", MC_CLIENT_SECRET: "s3cret" });
    assert.equal(code, 1);
    assert.match(out, /SESSION_KEYS: key 1 of 1 decodes to 12 bytes, not 32/);
    assert.ok(!out.includes("bm90LTMyLWJ5dGVz"));
    assert.ok(!out.includes("s3cret"));
  });

  it("passes the demo environment", () => {
    const { code, out } = checkConfig("demo", { MC_CLIENT_SECRET: "demo", SESSION_KEYS: "sLGys7S1tre4ubq7vL2-v8DBwsPExcbHyMnKy8zNzs8" });
    assert.equal(code, 0, out);
    assert.match(out, /configuration: ok/);
  });
});
