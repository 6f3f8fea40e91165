// The cost of one decision of the built Go program in V8, the engine
// workerd runs: the program is instantiated here in Node, as wasm/entry.mjs
// does it, and asked to decide the same request in a loop. It reports
// microseconds per decision (encoding the request, Go's decision, decoding
// the answer) for a signed-in page and for a redirect to sign in, the
// median of five runs of N decisions.
//
// The session cookie comes from a real sign-in through the built Worker in
// workerd against the fake Marketing Cloud; the program here opens it with
// the same key.
//
//   node wasm/bench/decide.mjs [--n N]

import fs from "node:fs";
import path from "node:path";
import { Browser, freePort, gateBindings, root, startFake, startGate } from "../test/harness.mjs";

const args = process.argv.slice(2);
const N = args.includes("--n") ? Number(args[args.indexOf("--n") + 1]) : 20000;

const port = await freePort();
const fake = await startFake([`http://127.0.0.1:${port}/_gate/callback`]);
const env = gateBindings(port, fake);
const gate = await startGate(port, env, { keepLogs: false });
const browser = new Browser();
await browser.signIn(gate.url + "/", "71000001");
await browser.request("GET", gate.url + "/");
const cookie = browser.cookieHeader(gate.url);
await gate.stop();
await fake.stop();
if (!cookie.includes("__Host-cpg=")) throw new Error("signing in for the benchmark failed");

// The program logs one line per sign-in started; the loop would print
// thousands of them.
const log = console.log;
console.log = () => {};
await import(path.join(root, "wasm/build/wasm_exec.js"));
const mod = new WebAssembly.Module(fs.readFileSync(path.join(root, "wasm/build/gate.wasm")));
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const go = new Go();
let inst;
const started = new Promise((resolve) => {
  inst = new WebAssembly.Instance(mod, {
    ...go.importObject,
    workers: {
      ready: resolve,
      now: () => Date.now(),
      log: (p, n) => console.log(decoder.decode(new Uint8Array(inst.exports.mem.buffer, p, n))),
    },
  });
  go.run(inst, { env, ctx: {}, binding: { mcFetch: { fetch } } });
});
await started;

// The same steps as decideNow in wasm/entry.mjs.
function decide(input) {
  const ex = inst.exports;
  const max = input.length * 3;
  const ptr = ex.gate_input(max);
  const { written } = encoder.encodeInto(input, new Uint8Array(ex.mem.buffer).subarray(ptr, ptr + max));
  const n = ex.gate_decide(written);
  const out = ex.gate_output();
  return decoder.decode(new Uint8Array(ex.mem.buffer).subarray(out, out + n));
}

// What Chromium sends for a page load, in the runtime's lowercase.
const browserHeaders = [
  ["accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
  ["accept-encoding", "gzip, deflate, br"],
  ["accept-language", "en-GB,en;q=0.9"],
  ["host", `127.0.0.1:${port}`],
  ["sec-fetch-dest", "document"],
  ["sec-fetch-mode", "navigate"],
  ["sec-fetch-site", "none"],
  ["upgrade-insecure-requests", "1"],
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"],
];
function request(pathAndQuery, extra) {
  let s = `GET\nhttp://127.0.0.1:${port}${pathAndQuery}\n`;
  for (const [k, v] of [...browserHeaders, ...extra]) s += `${k}\n${v}\n`;
  return s;
}

const cases = [
  ["signed-in page", request("/reports/q3?region=emea", [["cookie", cookie]]), "F"],
  ["redirect to sign in", request("/reports/q3?region=emea", []), "A302"],
];
log(`One decision of the built Go program in V8 (Node ${process.version}), median of 5 runs of ${N}:`);
for (const [name, input, want] of cases) {
  if (!decide(input).startsWith(want)) throw new Error(`${name}: the decision is not ${want}`);
  for (let i = 0; i < N / 10; i++) decide(input);
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) decide(input);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e3 / N);
  }
  runs.sort((a, b) => a - b);
  log(`  ${name.padEnd(20)} ${runs[2].toFixed(1).padStart(6)} µs`);
}
process.exit(0);
