// With ORIGIN_URL, the gate keeps a signed-in user on its own host: links,
// form actions and redirects of the CloudPage that point at the
// CloudPage's own host are rewritten to the gate's, while streaming.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Browser, freePort, gateBindings, startFake, startGate } from "./harness.mjs";

let fake, gate, base, browser, pageHost;

before(async () => {
  const port = await freePort();
  fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`]);
  gate = await startGate(port, gateBindings(port, fake));
  base = gate.url;
  pageHost = new URL(fake.page).host;
  browser = new Browser();
  assert.equal((await browser.signIn(base + "/", "71000001")).status, 200);
});

after(async () => {
  await gate?.stop();
  await fake?.stop();
});

const attr = (html, id, name) => html.match(new RegExp(`id="${id}"[^>]*?${name}="([^"]*)"`))?.[1];

describe("link rewriting", () => {
  it("points the CloudPage's own links at the gate, and leaves the rest", async () => {
    const res = await browser.request("GET", base + "/links", { navigate: true });
    assert.equal(res.status, 200);
    const html = res.body;
    assert.equal(attr(html, "abs", "href"), base + "/reports/q3?region=emea");
    assert.equal(attr(html, "bare", "href"), base + "/");
    assert.equal(attr(html, "proto", "href"), base + "/x#top");
    assert.equal(attr(html, "upper", "href"), base + "/up");
    assert.equal(attr(html, "form", "action"), base + "/submit");
    assert.equal(attr(html, "img", "src"), base + "/assets/logo.png");
    assert.equal(attr(html, "refresh", "content"), `30; url=${base}/later`);
    assert.equal(attr(html, "other", "href"), "https://elsewhere.example/page");
    assert.equal(attr(html, "lookalike", "href"), `http://${pageHost}.evil.example/`);
    assert.equal(attr(html, "relative", "href"), "/relative");
    assert.ok(!html.includes(`//${pageHost}/`), "no link to the CloudPage's host is left");
  });

  it("rewrites the Location of the CloudPage's redirects to itself, not others", async () => {
    const own = await browser.request("GET", `${base}/redirect?to=${encodeURIComponent(fake.page + "/next?a=1")}`);
    assert.equal(own.status, 302);
    assert.equal(own.headers.location, base + "/next?a=1");

    const away = await browser.request("GET", `${base}/redirect?to=${encodeURIComponent("https://elsewhere.example/")}`);
    assert.equal(away.headers.location, "https://elsewhere.example/");
  });

  it("leaves answers that are not HTML byte for byte", async () => {
    const res = await browser.request("GET", base + "/big?size=70000");
    assert.equal(res.buffer.length, 70000);
    for (const i of [0, 251, 69999]) assert.equal(res.buffer[i], i % 251);
  });
});
