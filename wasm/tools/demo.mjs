// `make demo`: the whole sign-in flow on this machine, no Salesforce
// account needed. It starts the fake Marketing Cloud (localhost:9001) and
// the demo CloudPage (127.0.0.1:9002), then the Worker under `wrangler dev`
// on 127.0.0.1:8787 with [env.demo] of wrangler.toml, prints what to try
// once the gate answers, then the gate's JSON log lines as they come, and
// stops everything on Ctrl-C.
//
// The fake Marketing Cloud is reached as localhost, the gate as 127.0.0.1:
// browsers keep cookies per host name, not per port, and on one name the
// fake's own sign-in cookie would reach the gate and the CloudPage, which
// Marketing Cloud's cookies never do.

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const GATE = "http://127.0.0.1:8787";
const CLIENT_SECRET = "demo-secret-of-the-fake-marketing-cloud";
const PORTS = { 8787: "the gate (wrangler dev)", 9001: "the fake Marketing Cloud", 9002: "the demo CloudPage" };
const HEALTH_WAIT = 60; // seconds

// The demo's vars, as the Worker will see them.
const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml"), "demo");
const vars = workerOptions.bindings;
const MC = vars.MC_AUTH_BASE_URL;
const PAGE = vars.ORIGIN_URL;

// wrangler dev --env demo reads the secrets from .dev.vars.demo. The session
// key is made once and kept, so a restart keeps the demo signed in.
const devVars = path.join(root, ".dev.vars.demo");
if (!fs.existsSync(devVars)) {
  const key = crypto.randomBytes(32).toString("base64url");
  fs.writeFileSync(devVars, `MC_CLIENT_SECRET=${CLIENT_SECRET}\nSESSION_KEYS=${key}\n`, { mode: 0o600 });
}

/** A child process whose last lines of output are kept, to show if it fails. */
class Child {
  constructor(name, cmd, args, opts = {}) {
    this.name = name;
    this.recent = [];
    this.proc = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], ...opts });
    // "close" comes after the output is read to its end, unlike "exit".
    this.exited = once(this.proc, "close");
    this.proc.on("close", (code, signal) => {
      if (stopping) return;
      console.error(`\n${this.name} stopped (${signal ?? `exit code ${code}`}). Its last output:`);
      this.showRecent();
      stop(1);
    });
    this.proc.on("error", (err) => {
      console.error(`\n${this.name} could not be started: ${err.message}`);
      stop(1);
    });
  }

  /** Calls fn with each line of the child's output, and keeps the last 30. */
  lines(stream, fn = () => {}) {
    readline.createInterface({ input: this.proc[stream] }).on("line", (l) => {
      this.recent.push(l);
      if (this.recent.length > 30) this.recent.shift();
      fn(l);
    });
  }

  showRecent() {
    const lines = this.recent.length ? this.recent : ["(nothing)"];
    for (const l of lines) console.error("  " + l);
  }
}

let stopping = false;
const children = [];
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const live = children.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
  for (const c of live) c.proc.kill("SIGTERM");
  const killer = setTimeout(() => live.forEach((c) => c.proc.kill("SIGKILL")), 5000);
  await Promise.all(live.map((c) => c.exited));
  clearTimeout(killer);
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

/** Reports whether nothing listens on 127.0.0.1:port. */
function free(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.on("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

const busy = [];
for (const [port, what] of Object.entries(PORTS)) {
  if (!(await free(Number(port)))) busy.push(`  port ${port}, for ${what}`);
}
if (busy.length > 0) {
  console.error(`The demo needs these ports on 127.0.0.1, and something already listens there:\n${busy.join("\n")}\n` +
    "Another `make demo` may still be running: stop it with Ctrl-C, or find the process with `lsof -i :PORT`.");
  process.exit(1);
}

// The fake prints its addresses on stdout once it listens, then one line per
// request on stderr, which is kept to show if it fails.
const mcfake = new Child("The fake Marketing Cloud (mcfake)", path.join(root, "wasm/build/mcfake"), [
  "-mc", "127.0.0.1:9001", "-page", "127.0.0.1:9002",
  "-client-id", vars.MC_CLIENT_ID, "-client-secret", CLIENT_SECRET,
  "-redirect-uri", vars.MC_REDIRECT_URI,
]);
children.push(mcfake);
mcfake.lines("stderr");
const started = new Promise((resolve) => mcfake.lines("stdout", resolve));
await started;

// wrangler at --log-level log prints what the Worker logs (the gate's JSON
// lines) and its own warnings and errors, not a line per request.
const wrangler = new Child("wrangler dev", path.join(root, "node_modules/.bin/wrangler"), [
  "dev", "--env", "demo", "--ip", "127.0.0.1", "--port", "8787",
  "--show-interactive-dev-session=false", "--log-level", "log",
], { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } });
children.push(wrangler);
let ready = false;
const held = [];
const show = (l) => (ready ? console.log(l) : held.push(l));
wrangler.lines("stdout", show);
wrangler.lines("stderr", show);

// Say what to do once the gate answers, or why it does not.
let healthy = false;
let last = "no answer";
for (let i = 0; i < HEALTH_WAIT * 2 && !stopping && !healthy; i++) {
  try {
    const res = await fetch(GATE + "/_gate/healthz");
    healthy = res.ok;
    last = `${res.status}: ${(await res.text()).trim()}`;
    if (res.status === 500) break;
  } catch (err) {
    last = err.cause?.code ?? err.message;
  }
  if (!healthy) await new Promise((r) => setTimeout(r, 500));
}
if (!stopping && !healthy) {
  if (last.startsWith("500: ")) {
    console.error(`The gate started, but says its configuration is wrong (${GATE}/_gate/healthz):\n` +
      last.slice(5).split("\n").map((l) => "  " + l).join("\n") +
      "\nCheck [env.demo] in wrangler.toml, or delete .dev.vars.demo to have its secrets written again.");
  } else {
    console.error(`The gate did not become healthy: ${GATE}/_gate/healthz gave ${last} ` +
      `for ${HEALTH_WAIT} seconds. wrangler's output so far:`);
    wrangler.showRecent();
  }
  await stop(1);
}
banner();
ready = true;
for (const l of held.filter((l) => l.startsWith("{"))) console.log(l);

function banner() {
  const list = (name) => `${name}=${vars[name]}`;
  console.log(`
  CloudPage Gate demo is running.

  Open ${GATE}/reports/q3?region=emea
  a deep link to the demo CloudPage, behind the gate. At the fake Marketing
  Cloud's sign-in, choose who to be:

    Licensed user                       you come back to the deep link; the CloudPage greets
                                        ada@example.com and lists the X-MC-* headers the gate sent
    Unlicensed user                     "You don't have access to this app yet": no licence for
                                        the package (user_not_licensed)
    Licensed user, other business unit  "This page is not open to you": refused by ${list("ALLOWED_MIDS")}
    Licensed user, other enterprise     "This page is not open to you": refused by ${list("ALLOWED_MIDS")}
                                        and ${list("ALLOWED_EIDS")}

  Marketing Cloud keeps you signed in, so to choose again, sign out of the fake
  Marketing Cloud first: ${MC}/

  Then try
    ${GATE}/_gate/userinfo   who is signed in, as JSON
    ${GATE}/_gate/logout     sign out of the gate (Marketing Cloud keeps you signed in)
    ${GATE}/_gate/healthz    the configuration check
    ${PAGE}/                 the CloudPage without the gate: nobody is signed in

  Below: the gate's log lines, one JSON object per event, as Workers Logs gets them.
  Ctrl-C stops everything.
`);
}
