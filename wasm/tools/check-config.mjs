// `make check-config ENV=production`: checks a wrangler environment's
// settings the way the Worker does, before deploying. The vars come from
// wrangler.toml; secrets (MC_CLIENT_SECRET, SESSION_KEYS, ORIGIN_SECRET)
// are checked when set in this shell's environment, and otherwise listed
// as unchecked. It also warns when MC_REDIRECT_URI's host is served by none
// of the environment's routes.

import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const env = process.argv[2] || undefined;
const SECRETS = ["MC_CLIENT_SECRET", "SESSION_KEYS", "ORIGIN_SECRET"];

const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml"), env);
const vars = Object.fromEntries(
  Object.entries(workerOptions.bindings ?? {}).filter(([, v]) => typeof v === "string"),
);
const unchecked = [];
for (const name of SECRETS) {
  if (process.env[name] !== undefined) vars[name] = process.env[name];
  else if (vars[name] === undefined && name !== "ORIGIN_SECRET") unchecked.push(name);
}

console.log(`Checking ${env ? `[env.${env}]` : "the top-level environment"} of wrangler.toml`);
let failed = false;
try {
  const out = execFileSync(path.join(root, "wasm/build/checkconfig"), {
    input: JSON.stringify({ vars, unchecked }),
    encoding: "utf8",
  });
  console.log(out.trim() === "ok" ? "  configuration: ok" : out);
} catch (err) {
  failed = true;
  console.log("  problems:\n" + err.stdout.trim().split("\n").map((l) => "    " + l).join("\n"));
}
for (const name of unchecked) {
  console.log(`  ${name}: a secret, not checked here; set it with \`npx wrangler secret put ${name}${env ? ` --env ${env}` : ""}\`,` +
    ` or export it in this shell to check its format`);
}

// The callback must be served by this Worker: warn when no route covers it.
const redirect = vars.MC_REDIRECT_URI;
const routes = [workerOptions.routes ?? []].flat();
if (redirect && routes.length > 0) {
  const host = new URL(redirect).host;
  const covered = routes.some((r) => {
    const pattern = typeof r === "string" ? r : r.pattern;
    const routeHost = pattern.replace(/^https?:\/\//, "").split("/")[0];
    return routeHost === host || (routeHost.startsWith("*.") && host.endsWith(routeHost.slice(1)));
  });
  if (!covered) {
    console.log(`  warning: no route of this environment serves ${host}, the host of MC_REDIRECT_URI;` +
      " the callback must reach this Worker");
  }
}
process.exit(failed ? 1 : 0);
