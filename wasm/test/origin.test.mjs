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
const PAGE = "https://gate.example/report";
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
// CloudPage received it, and returns null when it lets the page render,
// the URL it redirected to, or "refused" when it stopped the page without
// a redirect.
// sha256 stands in for AMPscript's SHA256(), to try a platform where it
// does not run.
function snippet(method, requestURL, headers, { secret = SECRET, now = Date.now(), sha256 } = {}) {
  const html = fs.readFileSync(path.join(root, "docs/cloudpage-check.html"), "utf8");
  const code = html.match(/<script runat="server">([\s\S]*)<\/script>/)[1]
    .replace('"paste ORIGIN_SECRET here"', JSON.stringify(secret))
    .replace('"https://apps.example.com/"', JSON.stringify(PAGE));
  sha256 ??= (s) => crypto.createHash("sha256").update(s, "utf8").digest("hex");
  const vars = {};
  let redirected = null;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [].concat(v)[0]]));
  const context = {
    Platform: {
      Load() {},
      Request: { Method: method, RequestURL: requestURL, GetRequestHeader: (n) => lower[n.toLowerCase()] ?? null },
      Variable: null,
      Function: {
        // The one AMPscript expression the snippet evaluates.
        TreatAsContent(s) {
          assert.equal(s, "%%=SHA256(@cpgSigned)=%%");
          return sha256(vars["@cpgSigned"]);
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
    if (!/only through the sign-in gate/.test(err.message)) throw err;
    return redirected ?? "refused";
  }
  assert.equal(redirected, null, "a redirect that did not stop the page");
  return null;
}

// throughGate sends a request through the gate to the fake CloudPage's
// echo and returns it as the CloudPage received it.
async function throughGate(method, p, body) {
  const res = await browser.request(method, base + p, {
    headers: { accept: "application/json", "sec-fetch-mode": "cors", "content-type": "text/plain" },
    body,
  });
  assert.equal(res.status, 200, res.body.slice(0, 200));
  const echo = JSON.parse(res.body);
  return { method: echo.method, url: `http://${echo.host}${echo.requestURI}`, headers: echo.headers };
}

// set returns headers with one header's value changed.
const set = (headers, name, value) => ({ ...headers, [name]: [value] });

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

  it("passes the pasted snippet for gated requests", async () => {
    for (const [method, p, body] of [["GET", "/echo/reports/q3?region=emea"], ["GET", "/echo/reports/q3"],
      ["POST", "/echo/form?step=2", "note=hello"], ["GET", "/echo/r%C3%A9sum%C3%A9?q=%C3%A9t%C3%A9&x=1&x=2"]]) {
      const { method: m, url, headers } = await throughGate(method, p, body);
      assert.equal(m, method);
      assert.equal(snippet(m, url, headers), null, `${method} ${p}`);
    }
  });

  it("sends a direct visit to the gate, and refuses a forged or altered one", async () => {
    const { url, headers } = await throughGate("GET", "/echo/reports/q3?region=emea");
    assert.equal(snippet("GET", url, { "X-MC-User-Email": "ada@example.com" }), PAGE, "no assertion");
    assert.equal(snippet("GET", url, {}), PAGE, "no headers at all");

    // With the gate's headers, a request that does not check out is
    // refused without a redirect, which could loop.
    const time = Number(headers["X-Mc-Gate-Time"][0]);
    const cases = {
      "another user": ["GET", url, set(headers, "X-Mc-User-Email", "mallory@example.com")],
      "another name": ["GET", url, set(headers, "X-Mc-User-Name", "mallory")],
      "another user id": ["GET", url, set(headers, "X-Mc-User-Id", "71000002")],
      "another business unit": ["GET", url, set(headers, "X-Mc-Mid", "1")],
      "another enterprise": ["GET", url, set(headers, "X-Mc-Eid", "1")],
      "a token added": ["GET", url, set(headers, "X-Mc-Access-Token", "eyJ0b2tlbiI6Im1hbGxvcnkifQ")],
      "another method": ["POST", url, headers],
      "another query": ["GET", url.replace("region=emea", "region=apac"), headers],
      "query added to": ["GET", url + "&export=all", headers],
      "query removed": ["GET", url.replace("?region=emea", ""), headers],
      "another page": ["GET", url.replace("/echo/reports/q3", "/admin"), headers],
      "another host": ["GET", url.replace("127.0.0.1", "localhost"), headers],
      "time moved": ["GET", url, set(headers, "X-Mc-Gate-Time", String(time + 1))],
      "nonce changed": ["GET", url, set(headers, "X-Mc-Gate-Nonce", "0".repeat(32))],
      "signature forged": ["GET", url, set(headers, "X-Mc-Gate-Signature", "0".repeat(64))],
    };
    for (const [name, [m, u, h]] of Object.entries(cases)) {
      assert.equal(snippet(m, u, h), "refused", name);
    }
    assert.equal(snippet("GET", url, headers, { secret: "another-secret-of-the-same-length" }), "refused", "wrong secret");
  });

  it("keeps the snippet's window to a minute either way", async () => {
    const { url, headers } = await throughGate("GET", "/echo/reports/q3");
    const at = Number(headers["X-Mc-Gate-Time"][0]) * 1000;
    assert.equal(snippet("GET", url, headers, { now: at + 59_000 }), null, "59 s old");
    assert.equal(snippet("GET", url, headers, { now: at - 59_000 }), null, "59 s ahead");
    assert.equal(snippet("GET", url, headers, { now: at + 61_000 }), "refused", "61 s old");
    assert.equal(snippet("GET", url, headers, { now: at - 61_000 }), "refused", "61 s ahead");
  });

  it("refuses everything when SHA256 does not run", async () => {
    // A page whose AMPscript evaluation comes back empty must not let
    // through a request that sends an empty signature, or none.
    const { url, headers } = await throughGate("GET", "/echo/reports/q3");
    for (const sig of [[""], undefined]) {
      const h = { ...headers, "X-Mc-Gate-Signature": sig };
      assert.equal(snippet("GET", url, h, { sha256: () => "" }), "refused", `signature ${JSON.stringify(sig)}`);
    }
  });

  it("replay: the fake refuses a nonce twice; the snippet alone does not", async () => {
    const { url, headers } = await throughGate("GET", "/echo/reports/q3?region=emea");

    // The very request again, straight to the CloudPage, within the window:
    // the fake remembers nonces, as docs/cloudpage-check.md says a page can.
    const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v[0]]));
    const again = await rawRequest("GET", fake.page + new URL(url).pathname + new URL(url).search, h);
    assert.equal(again.status, 403);
    assert.match(again.body, /assertion replayed/);

    // The snippet keeps no state: the documented limit of its replay
    // defence is the window, for the exact same request.
    assert.equal(snippet("GET", url, headers), null);
    assert.equal(snippet("GET", url, headers), null);
  });
});
