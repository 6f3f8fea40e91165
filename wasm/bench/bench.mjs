// `make bench`: the gate against a minimal JavaScript pass-through Worker
// (the floor), side by side in one process and one run, against the same
// loopback origin (the fake CloudPage). Rounds alternate between the two
// so that machine noise falls on both alike. It prints requests per
// second, p50 and p99 latency, and the gate's throughput as a share of the
// floor's.
//
//   node wasm/bench/bench.mjs [--rounds N] [--seconds S]

import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { Browser, freePort, gateBindings, root, startFake, startGate } from "../test/harness.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt("--rounds", 8);
const SECONDS = opt("--seconds", 2);

const gatePort = await freePort();
const floorPort = await freePort();
const fake = await startFake([`http://127.0.0.1:${gatePort}/_gate/callback`]);
const gate = await startGate(gatePort, gateBindings(gatePort, fake), {
  script: process.env.BENCH_ENTRY || undefined,
  keepLogs: false,
});
const floor = new Miniflare({
  modules: true,
  scriptPath: path.join(root, "wasm/bench/floor.mjs"),
  compatibilityDate: "2026-04-01",
  cf: false,
  host: "127.0.0.1",
  port: floorPort,
  bindings: { ORIGIN_URL: fake.page },
});
const floorURL = (await floor.ready).toString().replace(/\/$/, "");

// One signed-in browser; its cookies go with every signed-in request.
const browser = new Browser();
const signedIn = await browser.signIn(gate.url + "/", "71000001");
if (signedIn.status !== 200) throw new Error(`signing in for the benchmark failed: ${signedIn.status}`);
// One more page, as a browser would load next: the gate clears its
// sign-in counter then, so the measured requests carry only the session.
await browser.request("GET", gate.url + "/");
const cookie = browser.cookieHeader(gate.url);

const scenarios = [
  { name: "signed-in small page (2 KiB), c=16", path: "/big?size=2048", concurrency: 16, headers: { cookie, "sec-fetch-mode": "navigate" } },
  { name: "signed-in 1 MiB body, c=4", path: "/big?size=1048576", concurrency: 4, headers: { cookie, "sec-fetch-mode": "navigate" } },
  { name: "unsigned redirect to login, c=16", path: "/reports/q3", concurrency: 16, headers: { "sec-fetch-mode": "navigate", accept: "text/html" } },
];

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function once(url, headers) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(url, { agent, headers }, (res) => {
      let n = 0;
      res.on("data", (c) => (n += c.length));
      res.on("end", () => resolve({ status: res.statusCode, bytes: n, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

// Runs `concurrency` loops for `seconds` and returns every latency.
async function load(base, s, seconds) {
  const lat = [];
  let failed = 0;
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const r = await once(base + s.path, s.headers);
      if (r.status >= 500) failed++;
      lat.push(r.ms);
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: s.concurrency }, worker));
  return { lat, seconds: (Date.now() - t0) / 1000, failed };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// Warm both Workers (Go instance start, JIT) before measuring.
for (const s of scenarios) {
  await load(floorURL, s, 0.5);
  await load(gate.url, s, 0.5);
}

// Each round measures the floor and the gate back to back, in alternating
// order, and keeps the ratio of that round: on a shared machine the speed
// of both drifts together, so the per-round ratio is steadier than either
// figure, and its median shrugs off a disturbed round.
const results = new Map();
const ratios = new Map();
for (let round = 0; round < ROUNDS; round++) {
  for (const s of scenarios) {
    const order = round % 2 === 0 ? [["floor", floorURL], ["gate", gate.url]] : [["gate", gate.url], ["floor", floorURL]];
    const rps = {};
    for (const [who, base] of order) {
      const key = s.name + "\0" + who;
      const r = await load(base, s, SECONDS);
      const acc = results.get(key) ?? { lat: [], seconds: 0, failed: 0 };
      acc.lat.push(...r.lat);
      acc.seconds += r.seconds;
      acc.failed += r.failed;
      results.set(key, acc);
      rps[who] = r.lat.length / r.seconds;
    }
    ratios.set(s.name, [...(ratios.get(s.name) ?? []), rps.gate / rps.floor]);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
for (const s of scenarios) {
  const stat = (who) => {
    const r = results.get(s.name + "\0" + who);
    const sorted = r.lat.sort((a, b) => a - b);
    return { rps: sorted.length / r.seconds, p50: pct(sorted, 50), p99: pct(sorted, 99), failed: r.failed };
  };
  const f = stat("floor");
  const g = stat("gate");
  rows.push({ scenario: s.name, floor: f, gate: g, ratio: median(ratios.get(s.name)) });
}

const fmt = (n, d = 1) => n.toFixed(d).padStart(8);
console.log(`\nCloudPage Gate vs. a JavaScript pass-through Worker: ${ROUNDS} interleaved rounds of ${SECONDS} s`);
console.log(`${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log("scenario                              | worker |    req/s |  p50 ms |  p99 ms | failed | gate/floor (median of rounds)");
console.log("--------------------------------------|--------|----------|---------|---------|--------|-----------");
for (const r of rows) {
  for (const who of ["floor", "gate"]) {
    const x = r[who];
    const ratio = who === "gate" ? fmt(r.ratio, 2) : "";
    console.log(`${r.scenario.padEnd(38)}| ${who.padEnd(7)}|${fmt(x.rps)}  |${fmt(x.p50, 2)} |${fmt(x.p99, 2)} |${String(x.failed).padStart(7)} | ${ratio}`);
  }
}

agent.destroy();
await floor.dispose();
await gate.stop();
await fake.stop();
