// The attacks, faults and loads a login gate must survive (issue 4), in
// workerd against the built Worker.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  Browser, KEY_A, KEY_B, freePort, gateBindings, parseSetCookie, rawRequest, startFake, startGate,
} from "./harness.mjs";

const ADA = "71000001";
let fake, gate, base, port;

before(async () => {
  port = await freePort();
  fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`]);
  gate = await startGate(port, gateBindings(port, fake));
  base = gate.url;
});

after(async () => {
  await gate?.stop();
  await fake?.stop();
});

const api = { accept: "application/json", "sec-fetch-mode": "cors" };

// Takes a browser from the authorize redirect through the fake's sign-in to
// the callback answer, without following it.
async function completeAt(b, authorizeURL, sub = ADA) {
  const atMC = await b.request("GET", authorizeURL, { navigate: true });
  let next = atMC;
  if (atMC.status === 200) {
    const authorize = atMC.body.match(/name="authorize" value="([^"]*)"/)[1].replaceAll("&amp;", "&");
    next = await b.request("POST", new URL("/_fake/signin", authorizeURL).toString(), {
      navigate: true,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ authorize, sub }).toString(),
    });
    next = await b.request("GET", new URL(next.headers.location, authorizeURL).toString(), { navigate: true });
  }
  assert.equal(next.status, 302);
  return b.request("GET", next.headers.location, { navigate: true });
}

describe("parallel sign-ins", () => {
  it("lets two tabs sign in at once, each landing where it asked", async () => {
    const b = new Browser();
    const first = await b.request("GET", base + "/first?tab=1", { navigate: true });
    const second = await b.request("GET", base + "/second?tab=2", { navigate: true });
    assert.equal([...b.cookies(base).keys()].filter((n) => n.startsWith("__Host-cpg-login-")).length, 2);

    const cb2 = await completeAt(b, second.headers.location);
    assert.equal(cb2.headers.location, "/second?tab=2");
    const cb1 = await completeAt(b, first.headers.location);
    assert.equal(cb1.headers.location, "/first?tab=1");
  });

  it("keeps at most four attempts and a small Cookie header", async () => {
    const b = new Browser();
    for (let i = 0; i < 12; i++) {
      const res = await b.request("GET", `${base}/page/${i}?${"q".repeat(900)}`, { navigate: true });
      assert.equal(res.status, 302);
    }
    const logins = [...b.cookies(base).keys()].filter((n) => n.startsWith("__Host-cpg-login-"));
    assert.ok(logins.length <= 4, `${logins.length} login cookies`);
    assert.ok(b.cookieHeader(base).length < 6000, `Cookie header of ${b.cookieHeader(base).length} bytes`);
  });

  it("sends a stale callback to the site when the browser is signed in", async () => {
    const b = new Browser();
    const start = await b.request("GET", base + "/deep", { navigate: true });
    const cb = await completeAt(b, start.headers.location);
    assert.equal(cb.headers.location, "/deep");
    const again = await b.request("GET", cb.url, { navigate: true });
    assert.equal(again.status, 302);
    assert.equal(again.headers.location, "/");
  });
});

describe("redirect loops", () => {
  it("stops a browser that never keeps the session, with a page that explains", async () => {
    // This browser drops the session cookie, as one with blocked or
    // oversized cookies would; everything else it keeps.
    const b = new Browser();
    const store = b.store.bind(b);
    b.store = (url, sc) => store(url, (sc ?? []).filter((c) => !c.startsWith("__Host-cpg=")));

    let res;
    for (let i = 0; i < 6; i++) {
      res = await b.signIn(base + "/loop", ADA);
      if (res.status === 400) break;
    }
    assert.equal(res.status, 400);
    assert.match(res.body, /Sign-in keeps repeating/);
    assert.match(res.body, /cookies/);
  });
});

describe("public paths", () => {
  it("never makes a path public by looking like one", async () => {
    for (const p of ["/assets/../echo", "/assets/%2e%2e/echo", "/assets/%2E%2E/echo", "/assets%2f..%2fecho",
      "/assets/..%2fecho", "/Assets/app.css", "/ASSETS/app.css", "/assets/..;/echo", "/assets/%5c..%5cecho",
      "//assets/app.css", "/assets/.%2e/echo"]) {
      const res = await rawRequest("GET", base + p, api);
      assert.equal(res.status, 401, `${p}: ${res.status} ${res.body.slice(0, 120)}`);
    }
    const ok = await rawRequest("GET", base + "/assets/app.css", api);
    assert.equal(ok.status, 200);
  });
});

describe("pages", () => {
  it("frame, script and referrer protection on every page of the gate", async () => {
    for (const p of ["/_gate/logout", "/_gate/callback?state=x&code=y", "/_gate/nothing"]) {
      const res = await rawRequest("GET", base + p, { "sec-fetch-mode": "navigate" });
      assert.equal(res.headers["x-frame-options"], "DENY", p);
      assert.match(res.headers["content-security-policy"], /frame-ancestors 'none'/, p);
      assert.match(res.headers["content-security-policy"], /default-src 'none'/, p);
      assert.equal(res.headers["cache-control"], "no-store", p);
      assert.equal(res.headers["strict-transport-security"], undefined, `${p}: no HSTS over http`);
    }
  });

  it("never reflects request parameters unescaped", async () => {
    const evil = "<script>alert(1)</script>";
    for (const p of [`/_gate/callback?error=${encodeURIComponent(evil)}&state=x`,
      `/_gate/callback?error=access_denied&error_description=${encodeURIComponent(evil)}`,
      `/_gate/${encodeURIComponent(evil)}`, `/_gate/login?rd=${encodeURIComponent("/" + evil)}`]) {
      const res = await rawRequest("GET", base + p, { "sec-fetch-mode": "navigate" });
      assert.ok(!res.body.includes("<script>"), p);
      assert.ok(!(res.headers.location ?? "").includes("<script>"), p);
    }
  });
});

describe("hostile input", () => {
  it("answers with a clear 4xx, never a 5xx, and keeps serving", async () => {
    const huge = "x".repeat(20000);
    const cases = [
      ["GET", "/page", { ...api, cookie: `__Host-cpg=${huge}` }],
      ["GET", "/page", { ...api, cookie: Array.from({ length: 300 }, (_, i) => `c${i}=${"v".repeat(40)}`).join("; ") }],
      ["GET", "/page", { ...api, cookie: "__Host-cpg=%%%; =; ;;; __Host-cpg-login-=x" }],
      ["GET", `/_gate/callback?state=${huge}&code=abc`, { "sec-fetch-mode": "navigate" }],
      ["GET", `/_gate/callback?state=abc&code=${huge}`, { "sec-fetch-mode": "navigate" }],
      ["GET", "/_gate/callback?state=a&state=b&code=c", { "sec-fetch-mode": "navigate" }],
      ["GET", "/_gate/callback?state=%ff%fe&code=%00", { "sec-fetch-mode": "navigate" }],
      ["GET", "/_gate/callback?%zz", { "sec-fetch-mode": "navigate" }],
      ["GET", "/_gate/login?rd=%ff%fe%00", { "sec-fetch-mode": "navigate" }],
      ["GET", "/%ff%fe/%00?%ff=%fe", api],
      ["POST", "/_gate/logout", { origin: "null", "content-type": "text/plain" }],
      ["DELETE", "/_gate/userinfo", api],
    ];
    for (const [method, p, headers] of cases) {
      const res = await rawRequest(method, base + p, headers, method === "GET" ? undefined : "x");
      assert.ok(res.status < 500, `${method} ${p.slice(0, 60)}: ${res.status}`);
    }
    const health = await rawRequest("GET", base + "/_gate/healthz");
    assert.equal(health.status, 200);
  });
});

describe("faults", () => {
  for (const [name, faults, page] of [
    ["token answers HTML", { token_html: true }, /unexpected answer/],
    ["token answer without access_token", { token_no_access_token: true }, /unexpected answer/],
    ["userinfo without an email", { userinfo_no_email: true }, /unexpected answer/],
    ["userinfo answers HTML", { userinfo_html: true }, /unexpected answer/],
    ["Marketing Cloud down", { down: true }, /not available/],
  ]) {
    it(`${name}: 502 page, no session, and the next sign-in works`, async () => {
      await fake.faults(faults);
      const b = new Browser();
      try {
        const res = await b.signIn(base + "/", ADA);
        assert.equal(res.status, 502);
        assert.match(res.body, page);
        assert.ok(!b.cookies(base).has("__Host-cpg"));
      } finally {
        await fake.faults({});
      }
      const ok = await new Browser().signIn(base + "/", ADA);
      assert.equal(ok.status, 200);
    });
  }

  it("origin refusing connections: 502 page, and the gate keeps serving", async () => {
    const closed = await freePort();
    await gate.setBindings(gateBindings(port, fake, { ORIGIN_URL: `http://127.0.0.1:${closed}` }));
    try {
      const b = new Browser();
      const res = await b.signIn(base + "/", ADA);
      assert.equal(res.status, 502);
      assert.match(res.body, /not answering/);
      assert.ok(await gate.waitEvent("origin_failed"));
    } finally {
      await gate.setBindings(gateBindings(port, fake));
    }
    const health = await rawRequest("GET", base + "/_gate/healthz");
    assert.equal(health.status, 200);
  });
});

describe("key rotation", () => {
  it("logs nobody out when a new key is put first", async () => {
    const b = new Browser();
    await b.signIn(base + "/", ADA);
    try {
      await gate.setBindings(gateBindings(port, fake, { SESSION_KEYS: `${KEY_B},${KEY_A}` }));
      const still = await b.request("GET", base + "/echo", { headers: api });
      assert.equal(still.status, 200, still.body.slice(0, 400));

      await gate.setBindings(gateBindings(port, fake, { SESSION_KEYS: KEY_B }));
      const gone = await b.request("GET", base + "/echo", { headers: api });
      assert.equal(gone.status, 401, "a session sealed by a removed key no longer opens");
    } finally {
      await gate.setBindings(gateBindings(port, fake));
    }
  });
});

describe("misconfiguration", () => {
  it("answers 500 everywhere and lists problems by name at healthz, without secrets", async () => {
    try {
      await gate.setBindings({ ...gateBindings(port, fake), MC_CLIENT_ID: "", SESSION_KEYS: "c2VjcmV0LWtleS12YWx1ZQ" });
      const page = await rawRequest("GET", base + "/", { "sec-fetch-mode": "navigate" });
      assert.equal(page.status, 500);
      assert.match(page.body, /misconfigured/);
      const health = await rawRequest("GET", base + "/_gate/healthz");
      assert.equal(health.status, 500);
      assert.match(health.body, /MC_CLIENT_ID/);
      assert.match(health.body, /SESSION_KEYS/);
      assert.ok(!health.body.includes("c2VjcmV0LWtleS12YWx1ZQ"));
      assert.ok(!health.body.includes("e2e-client-secret"));
    } finally {
      await gate.setBindings(gateBindings(port, fake));
    }
  });
});
