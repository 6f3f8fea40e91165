// FORWARD_ACCESS_TOKEN: the session keeps the user's Marketing Cloud access
// token and the gate forwards it; near its expiry, the next page load
// re-runs the authorization silently.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Browser, freePort, gateBindings, parseSetCookie, rawRequest, startFake, startGate } from "./harness.mjs";

const running = [];
after(async () => {
  for (const s of running.reverse()) await s.stop();
});

async function setUp(expiresIn) {
  const port = await freePort();
  const fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`], { expiresIn });
  running.push(fake);
  const gate = await startGate(port, gateBindings(port, fake, { FORWARD_ACCESS_TOKEN: "true" }));
  running.push(gate);
  return { fake, base: gate.url };
}

const token = (res) => JSON.parse(res.body).headers["X-Mc-Access-Token"]?.[0];

describe("forwarding the access token", () => {
  it("forwards a token that works at Marketing Cloud, in a cookie under 4 KB", async () => {
    const { fake, base } = await setUp(1079);
    const b = new Browser();
    const res = await b.signIn(base + "/echo", "71000001");
    const t = token(res);
    assert.ok(t, "X-MC-Access-Token arrives at the origin");

    const info = await rawRequest("GET", fake.mc + "/v2/userinfo", { authorization: "Bearer " + t });
    assert.equal(info.status, 200);
    assert.equal(JSON.parse(info.body).user.email, "ada@example.com");

    const cb = res.chain.find((r) => r.url.includes("/_gate/callback"));
    const session = cb.headers["set-cookie"].map(parseSetCookie).find((c) => c.name === "__Host-cpg");
    assert.ok(session.value.length < 4096 - 100, `session cookie of ${session.value.length} bytes`);
    assert.ok(!b.cookieHeader(base).includes(t), "the browser never holds the token in clear");
  });

  it("re-authorizes silently on the next page load when the token nears expiry", async () => {
    // Tokens of 62 s are within a minute of expiry after 2 s.
    const { base } = await setUp(62);
    const b = new Browser();
    const first = token(await b.signIn(base + "/echo", "71000001"));

    await new Promise((r) => setTimeout(r, 2500));
    const api = await b.request("GET", base + "/echo", { headers: { accept: "application/json", "sec-fetch-mode": "cors" } });
    assert.equal(token(api), first, "a sub-request goes on with the token it has");

    const page = await b.navigate(base + "/echo");
    assert.equal(page.status, 200);
    assert.ok(page.chain.some((r) => r.url.includes("/v2/authorize")), "the page load went by Marketing Cloud");
    assert.ok(!page.chain.some((r) => r.status === 200 && r.url.includes("/v2/authorize")), "without a sign-in page");
    assert.notEqual(token(page), first, "with a fresh token");
  });
});
