// The tools of the README: the pre-deploy check.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { root } from "./harness.mjs";

const SECRETS = ["MC_CLIENT_SECRET", "SESSION_KEYS", "ORIGIN_SECRET"];

function checkConfig(args, extra = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SECRETS.includes(k)));
  try {
    const out = execFileSync("node", [path.join(root, "wasm/tools/check-config.mjs"), ...[args].flat()], {
      cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
      env: { ...clean, ...extra, WRANGLER_SEND_METRICS: "false" },
    });
    return { code: 0, out };
  } catch (err) {
    return { code: err.status, out: err.stdout, err: err.stderr };
  }
}

// A wrangler.toml of its own in a temporary directory, away from any
// .dev.vars file.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-config-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
function toml(text) {
  const file = path.join(tmp, `wrangler-${Math.random().toString(36).slice(2)}.toml`);
  fs.writeFileSync(file, `name = "t"\nmain = "${path.join(root, "wasm/entry.mjs")}"\ncompatibility_date = "2026-04-01"\n` + text);
  return file;
}

const VALID = `MC_SUBDOMAIN = "mc0123456789abcdefghijklmnop"
MC_CLIENT_ID = "abc"
MC_REDIRECT_URI = "https://cloud.example.com/_gate/callback"
`;

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

  it("names the environments when asked for one that does not exist, without a stack trace", () => {
    for (const args of [["bogus"], []]) {
      const { code, out, err } = checkConfig(args);
      assert.equal(code, 2, `${args}: ${out}${err}`);
      assert.match(out, /Its environments: demo, staging, production\./);
      assert.match(out, /make check-config ENV=production/);
      if (args.length) assert.match(out, /no environment "bogus"/);
      assert.equal(err, "", `${args}: wrote to stderr`);
      assert.doesNotMatch(out, /at \w+ \(|UserError/);
    }
  });

  it("refuses a secret written in the environment's vars, naming the command, not the value", () => {
    const file = toml(`[env.prod]\nname = "t-prod"\n[env.prod.vars]\n${VALID}MC_CLIENT_SECRET = "pasted-client-secret-0123"\n` +
      `SESSION_KEYS = "sLGys7S1tre4ubq7vL2-v8DBwsPExcbHyMnKy8zNzs8"\n`);
    const { code, out } = checkConfig(["prod", file]);
    assert.equal(code, 1, out);
    assert.match(out, /MC_CLIENT_SECRET: is a secret, but \[env\.prod\.vars\] in wrangler\.toml sets it/);
    assert.match(out, /SESSION_KEYS: is a secret, but \[env\.prod\.vars\]/);
    assert.match(out, /npx wrangler secret put MC_CLIENT_SECRET --env prod/);
    assert.doesNotMatch(out, /configuration: ok/);
    assert.ok(!out.includes("pasted-client-secret-0123") && !out.includes("sLGys7S1"), "shows a secret's value");
  });

  it("refuses a secret in the top level's vars too", () => {
    const file = toml(`[vars]\nORIGIN_SECRET = "0123456789abcdef0123456789abcdef-origin"\n[env.prod]\nname = "t-prod"\n[env.prod.vars]\n${VALID}`);
    const { code, out } = checkConfig(["prod", file], { MC_CLIENT_SECRET: "x", SESSION_KEYS: "sLGys7S1tre4ubq7vL2-v8DBwsPExcbHyMnKy8zNzs8" });
    assert.equal(code, 1, out);
    assert.match(out, /configuration: ok/);
    assert.match(out, /ORIGIN_SECRET: is a secret, but the top-level \[vars\]/);
    assert.ok(!out.includes("0123456789abcdef0123456789abcdef-origin"));
  });
});
