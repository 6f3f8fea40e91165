// The direct road to the origin: with ORIGIN_SECRET, the gate signs every
// forwarded request, and a CloudPage that checks the signature refuses
// everything that did not come through the gate. Two checks run here: the
// fake CloudPage's (Go, mcfake/assertion.go) and the very snippet people
// paste, docs/cloudpage-check.html, run with stand-ins for the CloudPage
// functions it calls.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { after, before, describe, it } from "node:test";
import { Browser, freePort, gateBindings, rawRequest, root, startFake, startGate } from "./harness.mjs";

const SECRET = "e2e-origin-SECRET-4c1d9e7a2b8f6035";
let fake, gate, base, browser;

before(async () => {
  const port = await freePort();
  fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`], { originSecret: SECRET });
  gate = await startGate(port, gateBindings(port, fake, { ORIGIN_SECRET: SECRET }));
  base = gate.url;
  browser = new Browser();
  const res = await browser.signIn(base + "/", "71000001");
  assert.equal(res.status, 200, res.body.slice(0, 300));
});

after(async () => {
  await gate?.stop();
  await fake?.stop();
});

// snippet runs docs/cloudpage-check.html's script for one request as the
// CloudPage received it, and returns where it redirected, or null.
function snippet(requestURL, headers, { secret = SECRET, now = Date.now() } = {}) {
  const html = fs.readFileSync(path.join(root, "docs/cloudpage-check.html"), "utf8");
  const code = html.match(/<script runat="server">([\s\S]*)<\/script>/)[1]
    .replace('"paste ORIGIN_SECRET here"', JSON.stringify(secret))
    .replace('"https://apps.example.com"', JSON.stringify("https://gate.example"));
  const vars = {};
  let redirected = null;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [].concat(v)[0]]));
  const context = {
    Platform: {
      Load() {},
      Request: { RequestURL: requestURL, GetRequestHeader: (n) => lower[n.toLowerCase()] ?? null },
      Variable: null,
      Function: {
        // The one AMPscript expression the snippet evaluates.
        TreatAsContent(s) {
          assert.equal(s, "%%=SHA256(@cpgSigned)=%%");
          return crypto.createHash("sha256").update(vars["@cpgSigned"], "utf8").digest("hex");
        },
      },
      Response: { Redirect: (u) => (redirected = u) },
    },
    Variable: { SetValue: (k, v) => (vars[k] = v) },
    Date: class extends Date {
      constructor() {
        super(now);
      }
    },
  };
  try {
    vm.runInNewContext(code, context);
  } catch (err) {
    if (redirected === null) throw err;
  }
  return redirected;
}

async function echoThroughGate(p) {
  const res = await browser.request("GET", base + p, { headers: { accept: "application/json", "sec-fetch-mode": "cors" } });
  assert.equal(res.status, 200, res.body.slice(0, 200));
  const echo = JSON.parse(res.body);
  return { url: `http://${echo.host}${echo.requestURI}`, headers: echo.headers };
}

describe("origin assertion", () => {
  it("lets the CloudPage tell gated requests from direct ones", async () => {
    const via = await browser.request("GET", base + "/echo");
    assert.equal(via.status, 200);
    assert.deepEqual(JSON.parse(via.body).headers["X-Fake-Assertion"], ["valid"]);

    const direct = await rawRequest("GET", fake.page + "/echo", {
      "x-mc-user-email": "mallory@example.com",
      "x-mc-gate-time": String(Math.floor(Date.now() / 1000)),
      "x-mc-gate-nonce": "00",
      "x-mc-gate-signature": "00",
    });
    assert.equal(direct.status, 403);
  });

  it("passes the pasted snippet for a gated request", async () => {
    const { url, headers } = await echoThroughGate("/echo/reports/q3?region=emea");
    assert.equal(snippet(url, headers), null);
  });

  it("sends the snippet's page back to the gate for anything else", async () => {
    const { url, headers } = await echoThroughGate("/echo/reports/q3");
    const cases = {
      "no assertion": [url, { "X-MC-User-Email": "ada@example.com" }],
      "another user": [url, { ...headers, "X-Mc-User-Email": ["mallory@example.com"] }],
      "another business unit": [url, { ...headers, "X-Mc-Mid": ["1"] }],
      "another page": [url.replace("/echo/reports/q3", "/admin"), headers],
      "another host": [url.replace("127.0.0.1", "localhost"), headers],
      "signature forged": [url, { ...headers, "X-Mc-Gate-Signature": ["0".repeat(64)] }],
    };
    for (const [name, [u, h]] of Object.entries(cases)) {
      assert.equal(snippet(u, h), "https://gate.example" + new URL(u).pathname, name);
    }
    assert.notEqual(snippet(url, headers, { now: Date.now() + 5 * 60_000 }), null, "expired");
    assert.notEqual(snippet(url, headers, { secret: "another-secret-of-the-same-length" }), null, "wrong secret");
  });
});
