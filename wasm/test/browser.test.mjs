// A real browser through the real flow: headless Chromium (Debian's
// package, driven by playwright-core) against the built Worker in workerd,
// the fake Marketing Cloud and the fake CloudPage. Each page the gate shows
// is screenshotted to wasm/test/artifacts/ and checked for what a person
// needs to read, on a phone-sized screen.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";
import { Browser, freePort, gateBindings, root, startFake, startGate } from "./harness.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(root, "wasm/test/artifacts");
const PHONE = { width: 390, height: 844 };

let fake, gate, base, port, browser;

before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run .ci/run, or apt-get install chromium, or set CHROMIUM`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  port = await freePort();
  fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`]);
  gate = await startGate(port, gateBindings(port, fake, { ALLOWED_EIDS: "100000000" }));
  base = gate.url;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  await gate?.stop();
  await fake?.stop();
});

async function newPage() {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  // The gate's pages load nothing from anywhere: note every request that
  // is not to the gate, the fake or the page itself.
  page.offsite = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.hostname !== "127.0.0.1") page.offsite.push(r.url());
  });
  return page;
}

// shot saves a screenshot and checks the page for a person's needs: the
// words, no sideways scrolling on a phone, nothing loaded from elsewhere.
async function shot(page, name, words) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 5000, `${name}.png is empty`);
  const text = await page.innerText("body");
  for (const w of words) assert.match(text, w, `${name}: ${w}`);
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${name}: ${scroll}px wide on a ${inner}px screen`);
  assert.deepEqual(page.offsite, [], `${name} loaded from elsewhere`);
}

async function chooseUser(page, label) {
  await page.waitForURL(/\/v2\/authorize/);
  await page.getByRole("button", { name: new RegExp("^" + label + "\\s") }).click();
}

describe("in a browser", () => {
  it("signs in from a deep link, returns to it, stays signed in, signs out", async () => {
    const page = await newPage();
    await page.goto(base + "/reports/q3?region=emea");
    await shot(page, "01-marketing-cloud-sign-in", [/Choose who to be/]);

    await chooseUser(page, "Licensed user");
    await page.waitForURL(base + "/reports/q3?region=emea");
    await shot(page, "02-cloudpage-signed-in", [/Hello, ada@example\.com/, /X-Mc-User-Email/, /100000001/]);

    await page.getByRole("link", { name: /A deep page/ }).click();
    await page.waitForURL(base + "/reports/q3?region=emea");
    assert.match(await page.innerText("body"), /Hello, ada@example\.com/);

    await page.goto(base + "/_gate/logout");
    await shot(page, "03-sign-out", [/Sign out/]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await shot(page, "04-signed-out", [/You are signed out/, /Sign in again/]);

    const res = await page.request.get(base + "/_gate/userinfo");
    assert.equal(res.status(), 401);
    await page.context().close();
  });

  it("explains a missing licence", async () => {
    const page = await newPage();
    await page.goto(base + "/");
    await chooseUser(page, "Unlicensed user");
    await page.waitForURL(/\/_gate\/callback/);
    await shot(page, "05-no-licence", [/don't have access/, /licence/, /Installed Packages/, /Request id/]);
    await page.context().close();
  });

  it("explains an allow-list refusal, naming who is signed in", async () => {
    const page = await newPage();
    await page.goto(base + "/");
    await chooseUser(page, "Licensed user, other enterprise");
    await page.waitForURL(/\/_gate\/callback/);
    await shot(page, "06-not-allowed", [/not open to you/, /edsger@example\.org/, /ALLOWED_/]);
    await page.context().close();
  });

  it("explains a sign-in that expired or came back to another browser", async () => {
    const page = await newPage();
    await page.goto(`${base}/_gate/callback?state=stale&code=old`);
    await shot(page, "07-sign-in-expired", [/could not be completed/, /Start again/, /MC_REDIRECT_URI/]);
    await page.getByRole("link", { name: "Start again" }).click();
    await page.waitForURL(/\/v2\/authorize/);
    await page.context().close();
  });

  it("breaks a redirect loop when the browser never keeps the session", async () => {
    // Chromium offers no way to drop one cookie on a redirect chain, so the
    // sign-ins that never keep their session run in the harness's browser
    // (as in attacks.test.mjs), and Chromium takes over its other cookies.
    const b = new Browser();
    const store = b.store.bind(b);
    b.store = (url, sc) => store(url, (sc ?? []).filter((c) => !c.startsWith("__Host-cpg=")));
    for (let i = 0; i < 3; i++) await b.signIn(base + "/loop", "71000001");

    const page = await newPage();
    // Through DevTools, Chromium takes Secure cookies for an https URL
    // only; cookies do not depend on the port or scheme, so the http gate
    // gets them all the same.
    await page.context().addCookies([...b.cookies(base)].map(([name, value]) => ({
      name, value, url: base.replace("http:", "https:") + "/", secure: true, httpOnly: true,
    })));
    await page.goto(base + "/loop");
    await shot(page, "08-too-many-redirects", [/keeps repeating/, /cookies/, /SESSION_KEYS/]);
    await page.context().close();
  });

  it("explains a sign-in Marketing Cloud refused", async () => {
    const page = await newPage();
    await page.goto(`${base}/_gate/callback?error=access_denied&state=x`);
    await shot(page, "11-sign-in-failed", [/did not sign you in/, /access_denied/, /Sign in again/, /MC_CLIENT_ID/]);
    await page.context().close();
  });

  it("keeps a form submitted after the session expired from vanishing silently", async () => {
    const page = await newPage();
    await page.setContent(`<form method="post" action="${base}/submit"><input name="note" value="draft"><button>Send</button></form>`);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForURL(base + "/submit");
    await shot(page, "12-form-sign-in-expired", [/sign-in has expired/, /not sent/, /Sign in again/]);
    await page.context().close();
  });

  it("says so when the CloudPage cannot be reached", async () => {
    const page = await newPage();
    await page.goto(base + "/");
    await chooseUser(page, "Licensed user");
    await page.waitForURL(base + "/");
    const closed = await freePort();
    try {
      await gate.setBindings(gateBindings(port, fake, { ALLOWED_EIDS: "100000000", ORIGIN_URL: `http://127.0.0.1:${closed}` }));
      await page.goto(base + "/reports");
      await shot(page, "13-cloudpage-unreachable", [/not answering/, /signed in/, /ORIGIN_URL/]);
    } finally {
      await gate.setBindings(gateBindings(port, fake, { ALLOWED_EIDS: "100000000" }));
    }
    await page.context().close();
  });

  it("says plainly when the gate is misconfigured", async () => {
    const page = await newPage();
    try {
      await gate.setBindings({ ...gateBindings(port, fake), MC_CLIENT_ID: "" });
      await page.goto(base + "/");
      await shot(page, "09-misconfigured", [/misconfigured/, /administrator/, /healthz/]);
    } finally {
      await gate.setBindings(gateBindings(port, fake, { ALLOWED_EIDS: "100000000" }));
    }
    await page.context().close();
  });

  it("shows Marketing Cloud being down as something to retry", async () => {
    const page = await newPage();
    await fake.faults({ down: true });
    try {
      await page.goto(base + "/");
      await chooseUser(page, "Licensed user");
      await page.waitForURL(/\/_gate\/callback/);
      await shot(page, "10-marketing-cloud-down", [/not available/, /Try again in a few minutes/]);
    } finally {
      await fake.faults({});
    }
    await page.context().close();
  });
});
