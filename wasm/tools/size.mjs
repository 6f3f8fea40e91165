// `make size`: the Worker's upload size as `wrangler deploy --dry-run`
// reports it, checked against the budget: 1.8 MiB after gzip, 60% of the
// Free plan's 3 MiB limit. Over budget is a failure, so CI catches a
// dependency or a template that doubles the bundle.

import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BUDGET_KIB = 1.8 * 1024;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const out = execFileSync(
  path.join(root, "node_modules/.bin/wrangler"),
  ["deploy", "--dry-run", "--env", "production", "--outdir", path.join(os.tmpdir(), "cloudpage-gate-dry-run")],
  { cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);

const m = out.match(/Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/);
if (!m) {
  console.error("could not find the upload size in wrangler's output:\n" + out);
  process.exit(1);
}
const [total, gzip] = [Number(m[1]), Number(m[2])];
const share = ((gzip / BUDGET_KIB) * 100).toFixed(1);
console.log(`Worker bundle: ${total.toFixed(0)} KiB, ${gzip.toFixed(1)} KiB after gzip (${share}% of the ${BUDGET_KIB.toFixed(1)} KiB budget)`);
if (gzip > BUDGET_KIB) {
  console.error(`over budget by ${(gzip - BUDGET_KIB).toFixed(1)} KiB`);
  process.exit(1);
}
