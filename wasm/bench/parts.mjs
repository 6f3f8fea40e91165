// Where a signed-in small page's time goes: the gate's entry module with
// parts of its work added one at a time, each against the pass-through
// floor, in interleaved rounds like `make bench`. The variants are copies of
// wasm/entry.mjs, changed at fixed places and written to wasm/build/parts/;
// they are measurements only, never deployed.
//
//   node wasm/bench/parts.mjs [--rounds N] [--seconds S]

import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { Miniflare } from "miniflare";
import { Browser, freePort, gateBindings, root, startFake, startGate } from "../test/harness.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const ROUNDS = opt("--rounds", 8);
const SECONDS = opt("--seconds", 2);

// The place in the fetch handler where each variant takes over, and the
// floor's work written in the entry's terms.
const ANCHOR = "    const input = encode(request);\n";
const FLOOR = `{ const u = new URL(request.url); return fetch(env.ORIGIN_URL + u.pathname + u.search, { method: request.method, headers: request.headers, redirect: "manual" }); }`;
const variants = {
  "the floor's work only": `    if (true) ${FLOOR}\n`,
  "+ encoding the request for Go": `    if (true) { globalThis.sink = encode(request); ${FLOOR} }\n`,
  "+ Go's decision, result unused":
    "    if (true) { const s = encode(request); const i = usable(current) ? refresh(current, env, ctx) : await instance(env, ctx);" +
    ` globalThis.sink = decideNow(i, s); ${FLOOR} }\n`,
  "everything, the decision computed in advance": null,
  "everything": "",
};

const source = fs.readFileSync(path.join(root, "wasm/entry.mjs"), "utf8");
const DECIDE = "      let s = decideNow(inst, input);\n";
if (!source.includes(ANCHOR) || !source.includes(DECIDE)) {
  throw new Error("wasm/entry.mjs no longer has the lines parts.mjs changes; update parts.mjs");
}
const dir = path.join(root, "wasm/build/parts");
fs.mkdirSync(dir, { recursive: true });
const entries = Object.entries(variants).map(([name, code], i) => {
  let s = source.replaceAll('"./build/', '"../');
  if (code === null) {
    s = s.replace(DECIDE, "      let s = memo.get(input);\n      if (s === undefined) memo.set(input, (s = decideNow(inst, input)));\n");
    s = s.replace("let current = null;", "let current = null;\nconst memo = new Map();");
  } else {
    s = s.replace(ANCHOR, code + ANCHOR);
  }
  const file = path.join(dir, `entry-${i}.mjs`);
  fs.writeFileSync(file, s);
  return { name, file };
});

const ports = [];
for (const _ of entries) ports.push(await freePort());
const fake = await startFake(ports.map((p) => `http://127.0.0.1:${p}/_gate/callback`));
const floorPort = await freePort();
const floor = new Miniflare({
  modules: true, scriptPath: path.join(root, "wasm/bench/floor.mjs"), compatibilityDate: "2026-04-01",
  cf: false, host: "127.0.0.1", port: floorPort, bindings: { ORIGIN_URL: fake.page },
});
const targets = [{ name: "floor", url: (await floor.ready).toString().replace(/\/$/, ""), stop: () => floor.dispose() }];
for (const [i, e] of entries.entries()) {
  const gate = await startGate(ports[i], gateBindings(ports[i], fake), { script: e.file, keepLogs: false });
  const b = new Browser();
  await b.signIn(gate.url + "/", "71000001");
  await b.request("GET", gate.url + "/");
  targets.push({ name: e.name, url: gate.url, cookie: b.cookieHeader(gate.url), stop: gate.stop });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const once = (u, headers) =>
  new Promise((resolve, reject) => {
    const req = http.get(u, { agent, headers }, (res) => res.resume().on("end", resolve));
    req.on("error", reject);
  });
async function load(t, seconds) {
  // The floor's origin does not care about the cookie; the gates need theirs.
  const headers = { cookie: t.cookie ?? targets[1].cookie, "sec-fetch-mode": "navigate" };
  let n = 0;
  const t0 = Date.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (; Date.now() < end; n++) await once(t.url + "/big?size=2048", headers);
  }));
  return n / ((Date.now() - t0) / 1000);
}

for (const t of targets) await load(t, 0.5);
const ratios = new Map(targets.map((t) => [t.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? [...targets].reverse() : targets;
  const rps = {};
  for (const t of order) rps[t.name] = await load(t, SECONDS);
  for (const t of targets) ratios.get(t.name).push(rps[t.name] / rps.floor);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\nSigned-in small page, c=16: the gate's entry doing part of its work, against the floor (${ROUNDS} rounds of ${SECONDS} s)\n`);
for (const t of targets.slice(1)) console.log(`${t.name.padEnd(46)} ${median(ratios.get(t.name)).toFixed(2)}`);

agent.destroy();
for (const t of targets) await t.stop();
await fake.stop();
