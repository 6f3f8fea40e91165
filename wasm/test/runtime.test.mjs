// The runtime: one Go instance per isolate serving many requests at once,
// each answer carrying only its own user's identity; a panic costs only
// its own request; a Go program that exits is replaced on the next request.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser, freePort, gateBindings, rawRequest, startFake, startGate } from "./harness.mjs";

const USERS = [
  { sub: "71000001", email: "ada@example.com", mid: "100000001" },
  { sub: "71000003", email: "alan@example.com", mid: "100000002" },
  { sub: "71000004", email: "edsger@example.org", mid: "200000001" },
];

let fake, gate, base;

before(async () => {
  const port = await freePort();
  fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`]);
  gate = await startGate(port, gateBindings(port, fake), { hooks: true });
  base = gate.url;
});

after(async () => {
  await gate?.stop();
  await fake?.stop();
});

// Which Go instance answers (the hooks build reports its id).
const instanceID = async () => (await rawRequest("GET", base + "/_hook/instance")).body;

describe("one instance, many users", () => {
  it("signs in dozens of users concurrently and keeps every answer to its own user", async () => {
    const before = await instanceID();

    // 36 browsers sign in at once; the fake holds back every token and
    // userinfo answer a little, so the callbacks overlap inside Go.
    await fake.faults({ delay: "150ms" });
    const browsers = Array.from({ length: 36 }, (_, i) => ({ b: new Browser(), u: USERS[i % USERS.length] }));
    try {
      const results = await Promise.all(browsers.map(({ b, u }) => b.signIn(`${base}/echo?who=${u.sub}`, u.sub)));
      for (const [i, res] of results.entries()) {
        assert.equal(res.status, 200, `browser ${i}: ${res.body.slice(0, 200)}`);
      }
    } finally {
      await fake.faults({});
    }

    // Hundreds of signed-in requests, interleaved.
    const requests = [];
    for (let round = 0; round < 10; round++) {
      for (const { b, u } of browsers) {
        requests.push(b.request("GET", `${base}/echo?round=${round}`).then((res) => ({ res, u })));
      }
    }
    const answers = await Promise.all(requests);
    assert.equal(answers.length, 360);
    for (const { res, u } of answers) {
      assert.equal(res.status, 200);
      const echo = JSON.parse(res.body);
      assert.deepEqual(echo.headers["X-Mc-User-Email"], [u.email]);
      assert.deepEqual(echo.headers["X-Mc-Mid"], [u.mid]);
      assert.deepEqual(echo.headers["X-Mc-User-Id"], [u.sub]);
    }
    assert.equal(await instanceID(), before, "one Go instance answered them all");
  });
});

describe("failures", () => {
  it("turns a panic into a 500 for that request alone", async () => {
    const b = new Browser();
    await b.signIn(base + "/", USERS[0].sub);
    const before = await instanceID();

    const [panicked, ...others] = await Promise.all([
      rawRequest("GET", base + "/_hook/panic"),
      ...Array.from({ length: 8 }, () => b.request("GET", base + "/echo")),
    ]);
    assert.equal(panicked.status, 500);
    for (const res of others) assert.equal(res.status, 200);
    // The gate's own page, with the id under which the panic is logged.
    assert.match(panicked.body, /Something went wrong/);
    const id = panicked.body.match(/Request id: <code>([0-9A-Za-z-]+)<\/code>/)?.[1];
    assert.ok(id, "the page shows a request id");
    assert.ok(await gate.waitEvent("panic", (e) => e.request_id === id));

    const next = await b.request("GET", base + "/echo");
    assert.equal(next.status, 200);
    assert.equal(await instanceID(), before, "a panic does not restart the instance");
  });

  it("starts a fresh instance after the Go program exits", async () => {
    const b = new Browser();
    await b.signIn(base + "/", USERS[0].sub);
    const before = await instanceID();

    const exited = await rawRequest("GET", base + "/_hook/exit");
    assert.equal(exited.status, 500);
    const id = exited.body.match(/quote request id ([0-9a-f]{16})\./)?.[1];
    assert.ok(id, `a request id to quote: ${exited.body}`);
    assert.ok(await gate.waitEvent("runtime_failed", (e) => e.request_id === id));

    const next = await b.request("GET", base + "/echo");
    assert.equal(next.status, 200, "the session still opens in the new instance");
    assert.deepEqual(JSON.parse(next.body).headers["X-Mc-User-Email"], [USERS[0].email]);
    assert.notEqual(await instanceID(), before, "a fresh instance answers");
  });
});
