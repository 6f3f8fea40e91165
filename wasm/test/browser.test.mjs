// A real browser through the real flow: headless Chromium (Debian's
// package, driven by playwright-core) against the built Worker in workerd,
// the fake Marketing Cloud and the fake CloudPage. Every page the gate
// shows is screenshotted to wasm/test/artifacts/ and checked for what a
// person needs to read, on a phone-sized screen: the words, the request id
// to quote, and what the administrators' section names to check.
//
// The fake Marketing Cloud is reached as localhost and the gate as
// 127.0.0.1: cookies are kept per host name, not per port, so on one host
// name the fake's own sign-in cookie would reach the gate and the
// CloudPage, as Marketing Cloud's never does.

import assert from "node:assert/strict";
import { once } from "node:events";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium } from "playwright-core";
import { Browser, freePort, gateBindings, root, startFake, startGate } from "./harness.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = path.join(root, "wasm/test/artifacts");
const PHONE = { width: 390, height: 844 };
const SESSION = "__Host-cpg";
// The allow-lists of the gate under test: the fake's other business unit
// (MID 100000002) and other enterprise (EID 200000000) are refused.
const ALLOW = { ALLOWED_MIDS: "100000001", ALLOWED_EIDS: "100000000" };

let fake, gate, base, port, mc, browser, site, elsewhere;

before(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run .ci/run, or apt-get install chromium, or set CHROMIUM`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  port = await freePort();
  fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`]);
  mc = fake.mc.replace("//127.0.0.1:", "//localhost:");
  gate = await startGate(port, bindings());
  base = gate.url;
  // Another site, for pages that act on the gate from outside: it serves
  // whatever HTML the test last gave visitElsewhere.
  site = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(site.html);
  });
  site.listen(0, "127.0.0.1");
  await once(site, "listening");
  elsewhere = `http://localhost:${site.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  site?.close();
  await browser?.close();
  await gate?.stop();
  await fake?.stop();
});

/** The gate's vars and secrets for these tests, with extra on top. */
function bindings(extra = {}) {
  return gateBindings(port, fake, { MC_AUTH_BASE_URL: mc, ...ALLOW, ...extra });
}

/** Runs fn with the gate reconfigured, then restores it. */
async function withBindings(extra, fn) {
  await gate.setBindings(bindings(extra));
  try {
    return await fn();
  } finally {
    await gate.setBindings(bindings());
  }
}

/** Runs fn with the fake Marketing Cloud's faults set, then clears them. */
async function withFaults(f, fn) {
  await fake.faults(f);
  try {
    return await fn();
  } finally {
    await fake.faults({});
  }
}

async function newPage() {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  // The gate's pages load nothing from anywhere: note every request that
  // is not to the gate, the fake or the page itself.
  page.offsite = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.hostname !== "127.0.0.1" && u.hostname !== "localhost") page.offsite.push(r.url());
  });
  return page;
}

/** Shows html as a page of another site (elsewhere). */
async function visitElsewhere(page, html) {
  site.html = html;
  await page.goto(elsewhere + "/");
}

/**
 * shot saves a screenshot and checks the page for a person's needs: the
 * words; on a page of the gate, the request id and, where there is an
 * administrators' section, the specific things it must name; no raw
 * markup characters; no sideways scrolling on a phone; nothing loaded from
 * elsewhere.
 */
async function shot(target, name, words, { admin = [], gatePage = true, page = target } = {}) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 5000, `${name}.png is empty`);
  const text = await target.innerText("body");
  for (const w of words) assert.match(text, w, `${name}: ${w}`);
  assert.ok(!text.includes("`"), `${name}: shows a raw backquote`);

  if (gatePage) {
    assert.match(text, /Request id: [0-9A-Za-z-]{1,64}\. Quote it when you ask for help\./, `${name}: no request id`);
    const section = target.locator("section.admin");
    if (await section.count() > 0) {
      assert.ok(admin.length > 0, `${name}: the administrators' section is not checked`);
      const said = await section.innerText();
      for (const w of admin) assert.match(said, w, `${name}, for administrators: ${w}`);
    } else {
      assert.deepEqual(admin, [], `${name}: no administrators' section`);
    }
  }

  const [scroll, inner] = await target.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${name}: ${scroll}px wide on a ${inner}px screen`);
  assert.deepEqual(page.offsite, [], `${name} loaded from elsewhere`);
}

async function chooseUser(page, label) {
  await page.waitForURL(/\/v2\/authorize/);
  await page.getByRole("button", { name: new RegExp("^" + label + "\\s") }).click();
}

/** Signs in at a fresh page as the licensed user; returns the page at /. */
async function signedIn() {
  const page = await newPage();
  await page.goto(base + "/");
  await chooseUser(page, "Licensed user");
  await page.waitForURL(base + "/");
  return page;
}

/** The value of the gate's session cookie in page's browser, if any. */
async function sessionCookie(page) {
  return (await page.context().cookies(base)).find((c) => c.name === SESSION)?.value;
}

describe("in a browser", () => {
  it("signs in from a deep link, returns to it, opens another page without signing in again, signs out", async () => {
    const page = await newPage();
    await page.goto(base + "/reports/q3?region=emea");
    await shot(page, "01-marketing-cloud-sign-in", [/Choose who to be/], { gatePage: false });

    await chooseUser(page, "Licensed user");
    await page.waitForURL(base + "/reports/q3?region=emea");
    await shot(page, "02-cloudpage-signed-in",
      [/Hello, ada@example\.com/, /X-MC-User-Email/, /X-MC-MID\s+100000001/, /Cookies received[^]*None\./],
      { gatePage: false });

    // A second page, at another path: the browser must neither go back to
    // Marketing Cloud nor be given a new session.
    const session = await sessionCookie(page);
    assert.ok(session, "no session cookie after signing in");
    const requests = [];
    const setCookies = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("response", async (r) => {
      const sc = await r.headerValue("set-cookie");
      if (sc) setCookies.push(sc);
    });
    await page.getByRole("link", { name: /Another page/ }).click();
    await page.waitForURL(base + "/team/directory");
    assert.match(await page.innerText("body"), /Hello, ada@example\.com[^]*\/team\/directory/);
    assert.deepEqual(requests.filter((u) => u.includes("/v2/authorize")), [], "went back to Marketing Cloud");
    assert.deepEqual(requests.filter((u) => u.startsWith(mc)), [], "asked the fake Marketing Cloud");
    assert.ok(!setCookies.some((sc) => sc.includes(SESSION + "=")), `session re-issued: ${setCookies}`);
    assert.equal(await sessionCookie(page), session);

    await page.goto(base + "/_gate/logout");
    await shot(page, "03-sign-out", [/Sign out/, /Marketing Cloud itself keeps you signed in/]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await shot(page, "04-signed-out", [/You are signed out/, /Sign in again/]);

    const res = await page.request.get(base + "/_gate/userinfo");
    assert.equal(res.status(), 401);
    await page.context().close();
  });

  it("refuses a sign-out another site asks for, and says so", async () => {
    const page = await signedIn();
    await visitElsewhere(page, `<form method="post" action="${base}/_gate/logout"><button>Win a prize</button></form>`);
    await page.getByRole("button", { name: "Win a prize" }).click();
    await page.waitForURL(base + "/_gate/logout");
    await shot(page, "05-sign-out-refused", [/Another site asked to sign you out/, /nothing has changed/],
      { admin: [/POST to \/_gate\/logout/, /own host/] });
    const res = await page.request.get(base + "/_gate/userinfo");
    assert.equal(res.status(), 200, "a cross-site POST signed the user out");
    await page.context().close();
  });

  it("explains a missing licence", async () => {
    const page = await newPage();
    await page.goto(base + "/");
    await chooseUser(page, "Unlicensed user");
    await page.waitForURL(/\/_gate\/callback/);
    await shot(page, "06-no-licence", [/don't have access/, /licence/, /Sign in again/],
      { admin: [/Installed Packages/, /Access tab/, /business unit/] });
    await page.context().close();
  });

  it("explains an allow-list refusal, and how to come back as someone else", async () => {
    const page = await newPage();
    await page.goto(base + "/reports");
    await chooseUser(page, "Licensed user, other business unit");
    await page.waitForURL(/\/_gate\/callback/);
    await shot(page, "07-not-allowed",
      [/not open to you/, /alan@example\.com \(business unit 100000002\)/, /sign out of Marketing Cloud first/, /Try again/],
      { admin: [/ALLOWED_MIDS/] });
    // alan's enterprise is on ALLOWED_EIDS: only the list that refused him
    // is named.
    assert.doesNotMatch(await page.locator("section.admin").innerText(), /ALLOWED_EIDS/);
    assert.equal(await page.getByRole("link", { name: /Sign out of this site/ }).count(), 0);

    // As the page says, trying again without signing out of Marketing
    // Cloud brings back the same account...
    await page.getByRole("link", { name: "Try again" }).click();
    await page.waitForURL(/\/_gate\/callback/);
    assert.match(await page.innerText("body"), /not open to you[^]*alan@example\.com/);

    // ...and after signing out there, another account gets in.
    await page.goto(mc + "/");
    await page.getByRole("button", { name: "Sign out of Marketing Cloud" }).click();
    await page.goto(base + "/reports");
    await chooseUser(page, "Licensed user");
    await page.waitForURL(base + "/reports");
    assert.match(await page.innerText("body"), /Hello, ada@example\.com/);
    await page.context().close();
  });

  it("names the enterprise list when it refuses", async () => {
    const page = await newPage();
    await page.goto(base + "/");
    await chooseUser(page, "Licensed user, other enterprise");
    await page.waitForURL(/\/_gate\/callback/);
    await shot(page, "08-not-allowed-enterprise", [/not open to you/, /edsger@example\.org/],
      { admin: [/ALLOWED_EIDS/] });
    await page.context().close();
  });

  it("explains a sign-in that expired or came back to another browser", async () => {
    const page = await newPage();
    await page.goto(`${base}/_gate/callback?state=stale&code=old`);
    await shot(page, "09-sign-in-expired", [/could not be completed/, /Start again/],
      { admin: [/MC_REDIRECT_URI/, /10 minutes/, /callback_refused/] });
    await page.getByRole("link", { name: "Start again" }).click();
    await page.waitForURL(/\/v2\/authorize/);
    await page.context().close();
  });

  it("explains a callback that Marketing Cloud did not write", async () => {
    const page = await newPage();
    await page.goto(`${base}/_gate/callback?state=a&state=b&code=c`);
    await shot(page, "10-sign-in-link-not-valid", [/This sign-in link is not valid/, /usual link/],
      { admin: [/MC_REDIRECT_URI/, /callback_refused/] });
    await page.context().close();
  });

  it("breaks a redirect loop when the browser never keeps the session", async () => {
    // Chromium offers no way to drop one cookie on a redirect chain, so the
    // sign-ins that never keep their session run in the harness's browser
    // (as in attacks.test.mjs), and Chromium takes over its other cookies.
    const b = new Browser();
    const store = b.store.bind(b);
    b.store = (url, sc) => store(url, (sc ?? []).filter((c) => !c.startsWith(SESSION + "=")));
    for (let i = 0; i < 3; i++) await b.signIn(base + "/loop", "71000001");

    const page = await newPage();
    // Through DevTools, Chromium takes Secure cookies for an https URL
    // only; cookies do not depend on the port or scheme, so the http gate
    // gets them all the same.
    await page.context().addCookies([...b.cookies(base)].map(([name, value]) => ({
      name, value, url: base.replace("http:", "https:") + "/", secure: true, httpOnly: true,
    })));
    await page.goto(base + "/loop");
    await shot(page, "11-too-many-redirects", [/keeps repeating/, /cookies/], { admin: [/SESSION_KEYS/, /MC_REDIRECT_URI/] });
    await page.context().close();
  });

  it("explains a sign-in Marketing Cloud refused", async () => {
    const page = await newPage();
    await page.goto(`${base}/_gate/callback?error=access_denied&state=x`);
    await shot(page, "12-sign-in-failed", [/did not sign you in/, /access_denied/, /Sign in again/],
      { admin: [/MC_CLIENT_ID/, /MC_REDIRECT_URI/, /login_denied/] });
    await page.context().close();
  });

  it("keeps a form submitted after the session expired from vanishing silently", async () => {
    const page = await newPage();
    await page.setContent(`<form method="post" action="${base}/submit"><input name="note" value="draft"><button>Send</button></form>`);
    await page.getByRole("button", { name: "Send" }).click();
    await page.waitForURL(base + "/submit");
    await shot(page, "13-form-sign-in-expired", [/sign-in has expired/, /not sent/, /Back button/, /Sign in again/],
      { admin: [/SESSION_TTL/] });
    await page.context().close();
  });

  it("says so when the CloudPage cannot be reached", async () => {
    const page = await signedIn();
    const closed = await freePort();
    await withBindings({ ORIGIN_URL: `http://127.0.0.1:${closed}` }, async () => {
      await page.goto(base + "/reports");
      await shot(page, "14-cloudpage-unreachable", [/not answering/, /signed in/], { admin: [/ORIGIN_URL/, /origin_failed/] });
    });
    await page.context().close();
  });

  it("says plainly when the gate is misconfigured, with the command to run as code", async () => {
    const page = await newPage();
    await withBindings({ MC_CLIENT_ID: "" }, async () => {
      await page.goto(base + "/");
      await shot(page, "15-misconfigured", [/misconfigured/, /administrator/],
        { admin: [/\/_gate\/healthz/, /make check-config ENV=<environment>/] });
      const commands = await page.locator("section.admin code").allInnerTexts();
      assert.ok(commands.includes("make check-config ENV=<environment>"), `commands shown as code: ${commands}`);
    });
    await page.context().close();
  });

  it("explains a wrong client secret, the usual first-deploy mistake", async () => {
    const page = await newPage();
    await withBindings({ MC_CLIENT_SECRET: "not-the-secret-of-this-package" }, async () => {
      await page.goto(base + "/");
      await chooseUser(page, "Licensed user");
      await page.waitForURL(/\/_gate\/callback/);
      await shot(page, "16-sign-in-not-set-up", [/Sign-in is not set up correctly/, /tell the page's administrator/],
        { admin: [/MC_CLIENT_ID/, /MC_CLIENT_SECRET/, /npx wrangler secret put MC_CLIENT_SECRET --env <environment>/] });
    });
    await page.context().close();
  });

  it("shows Marketing Cloud being down as something to retry", async () => {
    const page = await newPage();
    await withFaults({ down: true }, async () => {
      await page.goto(base + "/");
      await chooseUser(page, "Licensed user");
      await page.waitForURL(/\/_gate\/callback/);
      await shot(page, "17-marketing-cloud-down", [/not available/, /Try again in a few minutes/],
        { admin: [/status\.salesforce\.com/] });
    });
    await page.context().close();
  });

  it("gives up on a Marketing Cloud that does not answer in time", async () => {
    const page = await newPage();
    await withFaults({ delay: "12s" }, async () => {
      await page.goto(base + "/");
      await chooseUser(page, "Licensed user");
      await page.waitForURL(/\/_gate\/callback/, { timeout: 20_000 });
      await shot(page, "18-marketing-cloud-did-not-answer", [/did not answer/, /Wait a minute/, /Sign in again/],
        { admin: [/10 seconds/, /MC_SUBDOMAIN/, /exchange_failed/] });
    });
    await page.context().close();
  });

  it("explains an answer from Marketing Cloud the gate cannot use", async () => {
    const page = await newPage();
    await withFaults({ token_html: true }, async () => {
      await page.goto(base + "/");
      await chooseUser(page, "Licensed user");
      await page.waitForURL(/\/_gate\/callback/);
      await shot(page, "19-marketing-cloud-unexpected-answer", [/unexpected answer/, /Sign in again/],
        { admin: [/exchange_failed/, /MC_SUBDOMAIN/] });
    });
    await page.context().close();
  });

  it("shows a frame of another site that needs a sign-in a link that signs in at the top", async () => {
    const page = await newPage();
    const framed = page.waitForResponse(base + "/embedded/report");
    await visitElsewhere(page, `<iframe src="${base}/embedded/report" width="380" height="760"></iframe>`);
    assert.equal((await framed).status(), 401);
    const link = page.frameLocator("iframe").getByRole("link", { name: "Sign in with Marketing Cloud" });
    await link.waitFor({ timeout: 5000 });
    const frame = page.frames().find((f) => f.url().startsWith(base));
    await shot(frame, "20-sign-in-to-continue", [/Sign in to continue/, /whole window/],
      { admin: [/frame/, /SameSite=Lax/], page });

    assert.equal(await link.getAttribute("target"), "_top");
    await link.click();
    await page.waitForURL(/\/v2\/authorize/);
    await page.context().close();
  });

  it("answers an address of its own it does not have", async () => {
    const page = await newPage();
    const res = await page.goto(base + "/_gate/nothing");
    assert.equal(res.status(), 404);
    await shot(page, "21-not-found", [/Not found/, /Go to the start page/], { admin: [/\/_gate\//, /\/_gate\/login/] });
    await page.context().close();
  });

  it("answers a method an address does not take", async () => {
    const page = await newPage();
    await visitElsewhere(page, `<form method="post" action="${base}/_gate/login"><button>Sign in</button></form>`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(base + "/_gate/login");
    await shot(page, "22-method-not-allowed", [/Not available this way/, /Go to the start page/],
      { admin: [/GET/, /\/_gate\/logout/, /POST/] });
    await page.context().close();
  });
});
