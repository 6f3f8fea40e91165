// `make demo`: the whole sign-in flow on this machine, no Salesforce
// account needed. It starts the fake Marketing Cloud (127.0.0.1:9001) and
// the demo CloudPage (127.0.0.1:9002), then the Worker under `wrangler dev`
// on 127.0.0.1:8787, and stops them all on Ctrl-C.

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const GATE = "http://127.0.0.1:8787";
const CLIENT_ID = "demo0client0id0cloudpage"; // matches [env.demo] in wrangler.toml
const CLIENT_SECRET = "demo-secret-of-the-fake-marketing-cloud";

// wrangler dev --env demo reads the secrets from .dev.vars.demo. The session
// key is made once and kept, so a restart keeps the demo signed in.
const devVars = path.join(root, ".dev.vars.demo");
if (!fs.existsSync(devVars)) {
  const key = crypto.randomBytes(32).toString("base64url");
  fs.writeFileSync(devVars, `MC_CLIENT_SECRET=${CLIENT_SECRET}\nSESSION_KEYS=${key}\n`, { mode: 0o600 });
}

const children = [];
function run(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...opts });
  children.push(child);
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`\n${path.basename(cmd)} stopped (${signal ?? code}); stopping the demo.`);
      stop(1);
    }
  });
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

run(path.join(root, "wasm/build/mcfake"), [
  "-mc", "127.0.0.1:9001", "-page", "127.0.0.1:9002",
  "-client-id", CLIENT_ID, "-client-secret", CLIENT_SECRET,
  "-redirect-uri", `${GATE}/_gate/callback`,
], { stdio: ["ignore", "ignore", "ignore"] });

run(path.join(root, "node_modules/.bin/wrangler"), [
  "dev", "--env", "demo", "--ip", "127.0.0.1", "--port", "8787",
  "--show-interactive-dev-session=false", "--log-level", "warn",
], { env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } });

// Say what to do once the gate answers.
for (let i = 0; i < 120 && !stopping; i++) {
  try {
    const res = await fetch(GATE + "/_gate/healthz");
    if (res.ok) {
      banner();
      break;
    }
  } catch {
    // not up yet
  }
  await new Promise((r) => setTimeout(r, 500));
}

function banner() {
  console.log(`
  CloudPage Gate demo is running.

  Open   ${GATE}/            the demo CloudPage, behind the gate
  At the fake Marketing Cloud sign-in, choose who to be:
    Licensed user        the page greets ada@example.com and lists the X-MC-* headers it received
    Unlicensed user      the gate explains the missing licence for the package
    Other enterprise     refused by the allow-list (ALLOWED_EIDS=100000000)
  Then try
    ${GATE}/reports/q3?region=emea   a deep link: you come back to it after signing in
    ${GATE}/_gate/userinfo           who is signed in, as JSON
    ${GATE}/_gate/logout             sign out
    http://127.0.0.1:9002/           the CloudPage without the gate: nobody is signed in
    http://127.0.0.1:9001/           the fake Marketing Cloud: sign out there to choose another user

  Ctrl-C stops everything.
`);
}
