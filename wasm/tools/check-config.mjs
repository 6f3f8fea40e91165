// `make check-config ENV=production`: checks a wrangler environment's
// settings the way the Worker does, before deploying. The vars come from
// wrangler.toml; secrets (MC_CLIENT_SECRET, SESSION_KEYS, ORIGIN_SECRET)
// are checked when set in this shell's environment (or in the
// environment's .dev.vars file), and otherwise listed as unchecked. A
// secret written in wrangler.toml's vars is a problem. It also warns when
// MC_REDIRECT_URI's host is served by none of the environment's routes.
//
// Exit status: 0 when the settings pass, 1 when there are problems, 2 when
// the environment is not named or does not exist.
//
//   node wasm/tools/check-config.mjs ENV [path/to/wrangler.toml]

import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig, unstable_getMiniflareWorkerOptions } from "wrangler";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const env = process.argv[2] || undefined;
// The tests pass another file as the second argument.
const toml = path.resolve(process.argv[3] ?? path.join(root, "wrangler.toml"));
const SECRETS = ["MC_CLIENT_SECRET", "SESSION_KEYS", "ORIGIN_SECRET"];

// Name the environments before wrangler is asked for one, which it answers
// with a stack trace when it does not exist.
const { rawConfig } = experimental_readRawConfig({ config: toml });
const envs = Object.keys(rawConfig.env ?? {});
if (!env || !envs.includes(env)) {
  console.log((env ? `wrangler.toml has no environment "${env}".` : "Say which environment to check.") +
    ` Its environments: ${envs.join(", ")}.\n  make check-config ENV=${envs.includes("production") ? "production" : envs[0]}`);
  process.exit(2);
}

const { workerOptions } = unstable_getMiniflareWorkerOptions(toml, env);
const vars = Object.fromEntries(
  Object.entries(workerOptions.bindings ?? {}).filter(([, v]) => typeof v === "string"),
);
const unchecked = [];
for (const name of SECRETS) {
  if (process.env[name] !== undefined) vars[name] = process.env[name];
  else if (vars[name] === undefined && name !== "ORIGIN_SECRET") unchecked.push(name);
}
// What the file itself sets: the environment's vars (wrangler does not
// pass the top level's on), and the top level's, where a secret is as
// exposed.
const inFile = Object.keys(rawConfig.env[env].vars ?? {});
const topLevel = Object.keys(rawConfig.vars ?? {}).filter((n) => SECRETS.includes(n));

console.log(`Checking [env.${env}] of wrangler.toml`);
let failed = false;
try {
  const out = execFileSync(path.join(root, "wasm/build/checkconfig"), {
    input: JSON.stringify({ vars, unchecked, inFile, env }),
    encoding: "utf8",
  });
  console.log(out.trim() === "ok" ? "  configuration: ok" : out);
} catch (err) {
  failed = true;
  console.log("  problems:\n" + err.stdout.trim().split("\n").map((l) => "    " + l).join("\n"));
}
for (const name of unchecked) {
  console.log(`  ${name}: a secret, not checked here; set it with \`npx wrangler secret put ${name} --env ${env}\`,` +
    " or export it in this shell to check its format");
}
for (const name of topLevel) {
  failed = true;
  console.log(`  ${name}: is a secret, but the top-level [vars] of wrangler.toml sets it; delete it from the file` +
    ` and set it with \`npx wrangler secret put ${name} --env ${env}\``);
}

// The callback must be served by this Worker: warn when no route covers it.
const redirect = vars.MC_REDIRECT_URI;
const routes = [workerOptions.routes ?? []].flat();
if (redirect && routes.length > 0 && URL.canParse(redirect)) {
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
