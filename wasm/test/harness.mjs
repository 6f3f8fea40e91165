// Test harness for the built Worker: the fake Marketing Cloud and fake
// CloudPage (shared/cmd/mcfake) on loopback, the Worker in workerd through
// Miniflare, and a small browser stand-in with a cookie jar.
//
// Requests go over real HTTP with node:http rather than through
// Miniflare's dispatchFetch, whose fetch rewrites Sec-Fetch-Mode to "cors":
// the gate decides on that header, so the tests must control it.

import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CLIENT_ID = "e2eclientid0123456789abc";
export const CLIENT_SECRET = "e2e-client-secret-DO-NOT-LEAK-7f3a9c";
// Two session keys: the first seals, both open.
export const KEY_A = "tHpZ0mB2Wm3cXb7dK9qLr4sV6yA1nE8fG5hJ2kM0pQs";
export const KEY_B = "sLGys7S1tre4ubq7vL2-v8DBwsPExcbHyMnKy8zNzs8";

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const srv = net.createServer();
  srv.listen(0, "127.0.0.1");
  await once(srv, "listening");
  const { port } = srv.address();
  srv.close();
  await once(srv, "close");
  return port;
}

/** Starts the fake Marketing Cloud and CloudPage. */
export async function startFake(redirectURIs, { originSecret, expiresIn } = {}) {
  const args = ["-client-id", CLIENT_ID, "-client-secret", CLIENT_SECRET];
  if (originSecret) args.push("-origin-secret", originSecret);
  if (expiresIn) args.push("-expires-in", String(expiresIn));
  for (const u of redirectURIs) args.push("-redirect-uri", u);
  const proc = spawn(path.join(root, "wasm/build/mcfake"), args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  readline.createInterface({ input: proc.stderr }).on("line", (l) => log.push(l));
  const lines = readline.createInterface({ input: proc.stdout });
  const [first] = await Promise.race([
    once(lines, "line"),
    once(proc, "exit").then(([code]) => {
      throw new Error(`mcfake exited with ${code}: ${log.join("\n")}`);
    }),
  ]);
  const addr = JSON.parse(first);
  return {
    mc: addr.mc,
    page: addr.page,
    log,
    async faults(f) {
      const res = await fetch(addr.mc + "/_fake/faults", { method: "POST", body: JSON.stringify(f) });
      if (res.status !== 200) throw new Error(`setting faults: ${res.status} ${await res.text()}`);
    },
    async stop() {
      proc.kill("SIGTERM");
      await once(proc, "exit");
    },
  };
}

/**
 * Starts the built Worker under Miniflare on 127.0.0.1:port with the given
 * vars and secrets. Its log lines collect in gate.logs.
 */
export async function startGate(port, bindings, { hooks = false, script, keepLogs = true } = {}) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml"));
  const logs = [];
  // The benchmark drains the output unread, so that keeping the log does
  // not load the process that measures.
  const collect = (stream) =>
    keepLogs ? readline.createInterface({ input: stream }).on("line", (l) => logs.push(l)) : stream.resume();
  const options = (b) => ({
    ...workerOptions,
    modules: true,
    // The hooks build can panic or exit on demand (worker/hooks.go).
    scriptPath: script ?? path.join(root, hooks ? "wasm/build/hooks-entry.mjs" : "wasm/entry.mjs"),
    modulesRoot: root,
    cf: false,
    host: "127.0.0.1",
    port,
    bindings: b,
    handleRuntimeStdio(stdout, stderr) {
      collect(stdout);
      collect(stderr);
    },
  });
  const mf = new Miniflare(options(bindings));
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return {
    mf,
    url,
    logs,
    /** The JSON log lines with this event name. */
    events(name) {
      return logs
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l))
        .filter((e) => e.event === name);
    },
    /** Restarts the Worker with other vars and secrets. */
    /**
     * Waits for a log line with this event name that pred accepts: workerd's
     * output reaches the test through a pipe, after the answer does.
     */
    async waitEvent(name, pred = () => true) {
      for (let i = 0; i < 100; i++) {
        const e = this.events(name).find(pred);
        if (e) return e;
        await new Promise((r) => setTimeout(r, 20));
      }
      return undefined;
    },
    async setBindings(b) {
      await mf.setOptions(options(b));
    },
    stop: () => mf.dispose(),
  };
}

/** The vars and secrets of a working gate in front of the fake. */
export function gateBindings(gatePort, fake, extra = {}) {
  return {
    MC_AUTH_BASE_URL: fake.mc,
    MC_CLIENT_ID: CLIENT_ID,
    MC_CLIENT_SECRET: CLIENT_SECRET,
    MC_REDIRECT_URI: `http://127.0.0.1:${gatePort}/_gate/callback`,
    SESSION_KEYS: KEY_A,
    ORIGIN_URL: fake.page,
    PUBLIC_PATHS: "/assets/",
    ...extra,
  };
}

/** One HTTP exchange over node:http; the body is read whole. */
export function rawRequest(method, url, headers = {}, body = undefined) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, buffer: buf, body: buf.toString("utf8"), url });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const NAVIGATE = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "sec-fetch-mode": "navigate",
  "sec-fetch-dest": "document",
  "user-agent": "cloudpage-gate-e2e",
};

/**
 * A browser stand-in: it keeps cookies per host (as browsers do, ports
 * share them), applies the __Host- rules, and follows redirects like a
 * top-level navigation when asked.
 */
export class Browser {
  constructor() {
    this.jar = new Map(); // host -> Map(name -> value)
  }

  cookies(url) {
    return this.jar.get(new URL(url).hostname) ?? new Map();
  }

  cookieHeader(url) {
    return [...this.cookies(url)].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  store(url, setCookies) {
    const host = new URL(url).hostname;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    const jar = this.jar.get(host);
    for (const sc of setCookies ?? []) {
      const [pair, ...attrs] = sc.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const a = attrs.map((x) => x.toLowerCase());
      if (name.startsWith("__Host-") && (!a.includes("secure") || !a.includes("path=/") || a.some((x) => x.startsWith("domain=")))) {
        continue; // a browser refuses it
      }
      if (a.includes("max-age=0")) jar.delete(name);
      else jar.set(name, value);
    }
  }

  async request(method, url, { headers = {}, body, navigate = false } = {}) {
    const h = { ...(navigate ? NAVIGATE : {}), ...headers };
    const cookie = this.cookieHeader(url);
    if (cookie && h.cookie === undefined) h.cookie = cookie;
    if (h.cookie === null) delete h.cookie;
    const res = await rawRequest(method, url, h, body);
    this.store(url, res.headers["set-cookie"]);
    return res;
  }

  /** Navigates to url, following redirects; returns the last answer and the chain. */
  async navigate(url, opts = {}) {
    const chain = [];
    let res = await this.request(opts.method ?? "GET", url, { ...opts, navigate: true });
    chain.push(res);
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400 && res.headers.location; i++) {
      url = new URL(res.headers.location, url).toString();
      res = await this.request("GET", url, { navigate: true, headers: opts.followHeaders ?? {} });
      chain.push(res);
    }
    res.chain = chain;
    return res;
  }

  /**
   * Opens url and signs in at the fake Marketing Cloud as the user with
   * this employee id; returns where the browser ends up.
   */
  async signIn(url, sub) {
    const atMC = await this.navigate(url);
    if (atMC.status !== 200 || !atMC.url.includes("/v2/authorize")) {
      return atMC; // already signed in at the fake, or refused before it
    }
    const m = atMC.body.match(/name="authorize" value="([^"]*)"/);
    if (!m) throw new Error("no sign-in form at the fake: " + atMC.body.slice(0, 200));
    const authorize = m[1].replaceAll("&amp;", "&");
    const form = new URLSearchParams({ authorize, sub }).toString();
    const signin = new URL("/_fake/signin", atMC.url).toString();
    const posted = await this.request("POST", signin, {
      navigate: true,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    return this.navigate(new URL(posted.headers.location, signin).toString());
  }
}

/** Parses one Set-Cookie header into its name, value and attributes. */
export function parseSetCookie(sc) {
  const [pair, ...attrs] = sc.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const a = {};
  for (const x of attrs) {
    const [k, v] = x.split("=");
    a[k.toLowerCase()] = v ?? true;
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs: a };
}
