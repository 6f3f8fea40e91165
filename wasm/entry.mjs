// The Worker's entry module. It keeps one Go instance per isolate and asks
// it, for each request, what to do; then it does it. Bodies never pass
// through Go: a forward streams the request body to the origin and the
// origin's answer back to the browser from here.
//
// Why not workers.Serve: syumai/workers starts a new Go instance for every
// request, about 7 ms of CPU before any of our code runs (the Free plan
// allows 10 ms). Here the instance starts once, registers decide() and
// originFailed() on the binding object, and serves request after request.
// If the Go program ever exits or traps, the next request starts a fresh
// one.
//
// Promises and request contexts: workerd cancels the continuations of a
// promise that is settled after the request that created it has finished.
// So nothing here waits on a promise made by an earlier request. The
// instance's end is noticed through Go's exit hook and go.exited, and each
// waiting request holds a promise of its own that the hook can reject.

import "./build/wasm_exec.js";
import mod from "./build/gate.wasm";

// The Go side marks a call's remaining budget with this header; mcFetch
// turns it into an AbortSignal, so a slow Marketing Cloud is abandoned on
// time even while Go's timers wait on the event loop.
const DEADLINE = "x-gate-deadline-ms";

let current = null;

function start(env, ctx) {
  const go = new Go();
  const binding = { mcFetch: { fetch: mcFetch } };
  const context = { env, ctx, binding };
  const inst = {
    go, binding, context, exports: null, bytes: null, ready: null, isReady: false, isDead: false, waiting: new Set(),
  };
  log("info", "instance_started", "a Go instance starts for this isolate");

  // Called by wasm_exec when the program exits, whatever caused it: every
  // request still waiting on this instance fails now instead of hanging.
  go.exit = (code) => {
    inst.isDead = true;
    log("error", "instance_stopped", `the Go program exited with code ${code}`);
    for (const fail of inst.waiting) fail(new Error("the Go program exited"));
    inst.waiting.clear();
  };

  inst.ready = new Promise((resolve, reject) => {
    inst.waiting.add(reject);
    const instance = new WebAssembly.Instance(mod, {
      ...go.importObject,
      workers: {
        ready: () => {
          inst.isReady = true;
          inst.waiting.delete(reject);
          resolve();
        },
        now: () => Date.now(),
        log: (ptr, len) => console.log(decoder.decode(memory(inst).subarray(ptr, ptr + len))),
      },
    });
    inst.exports = instance.exports;
    go.run(instance, context);
  });
  return inst;
}

// usable reports whether inst can take a request as it stands.
function usable(inst) {
  return inst !== null && !inst.isDead && !inst.go.exited;
}

// instance returns the isolate's Go instance, with this request's env and
// ctx in its context, starting one if there is none that works. It waits
// only on the start of an instance it made itself (see the top).
async function instance(env, ctx) {
  if (!usable(current)) {
    current = start(env, ctx);
    await current.ready;
  }
  return refresh(current, env, ctx);
}

function refresh(inst, env, ctx) {
  inst.context.env = env;
  inst.context.ctx = ctx;
  return inst;
}

// settle waits for a decision the Go side delivers later (a sign-in that
// calls Marketing Cloud), failing if the instance stops meanwhile.
function settle(inst, pending) {
  return new Promise((resolve, reject) => {
    inst.waiting.add(reject);
    pending.then(
      (v) => {
        inst.waiting.delete(reject);
        resolve(v);
      },
      (err) => {
        inst.waiting.delete(reject);
        reject(err);
      },
    );
  });
}

function mcFetch(req, init) {
  const ms = Number(req.headers.get(DEADLINE));
  if (ms > 0) {
    req = new Request(req);
    req.headers.delete(DEADLINE);
    init = { ...init, signal: AbortSignal.timeout(ms) };
  }
  return fetch(req, init);
}

// log writes one JSON line, as the Go side does, so that Workers Logs and
// Logpush filter both alike.
function log(level, event, detail, requestID) {
  const line = { time: new Date().toISOString(), level, event };
  if (requestID !== undefined) line.request_id = requestID;
  line.detail = detail;
  console.log(JSON.stringify(line));
}

// requestID names a request the Go side could not answer, as the Go side
// would (gate.requestID): Cloudflare's Ray ID, or random hex where there is
// none.
function requestID(request) {
  const ray = request.headers.get("cf-ray");
  if (ray !== null && /^[0-9A-Za-z-]{1,64}$/.test(ray)) return ray;
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// encode writes a request in the format of Go's package wire:
// METHOD \n URL \n then NAME \n VALUE \n per header.
function encode(request) {
  let s = request.method + "\n" + request.url + "\n";
  for (const [k, v] of request.headers) s += k + "\n" + v + "\n";
  return s;
}

// decideNow asks Go directly, through its exported functions, and returns
// the encoded decision, or null when the request must wait on Marketing
// Cloud and so goes through the asynchronous path.
function decideNow(inst, input) {
  const ex = inst.exports;
  const max = input.length * 3; // UTF-16 code units to UTF-8 bytes, at worst
  const ptr = ex.gate_input(max);
  const { written } = encoder.encodeInto(input, memory(inst).subarray(ptr, ptr + max));
  const n = ex.gate_decide(written);
  if (n < 0) return null;
  // Ask for the view anew: the memory may have grown during the call.
  const out = ex.gate_output();
  return decoder.decode(memory(inst).subarray(out, out + n));
}

// memory is a byte view of Go's memory, made again only when the memory
// has grown (which detaches the old buffer), not on every call.
function memory(inst) {
  const buf = inst.exports.mem.buffer;
  if (inst.bytes === null || inst.bytes.buffer !== buf) inst.bytes = new Uint8Array(buf);
  return inst.bytes;
}

// parse reads an encoded decision: {status, headers, body} for an answer,
// {url, remove, set, add} for a forward.
function parse(s) {
  const nl = s.indexOf("\n");
  const first = s.slice(1, nl);
  let i = nl + 1;
  const line = () => {
    const end = s.indexOf("\n", i);
    const l = s.slice(i, end);
    i = end + 1;
    return l;
  };
  const pairs = () => {
    const h = [];
    for (let k = line(); k !== ""; k = line()) h.push([k, line()]);
    return h;
  };
  if (s[0] === "F") {
    const remove = [];
    for (let k = line(); k !== ""; k = line()) remove.push(k);
    const set = pairs();
    const add = pairs();
    let rewrite = null;
    const to = line();
    if (to !== "") {
      rewrite = { to, from: [] };
      for (let f = line(); f !== ""; f = line()) rewrite.from.push(f);
    }
    return { url: first, remove, set, add, rewrite };
  }
  const headers = pairs();
  return { status: Number(first), headers, body: s.slice(i) };
}

// answer is the gate's own answer. Its header is built by appending, which
// measured twice as fast in workerd as handing Response a list of pairs.
function answer(d) {
  const headers = new Headers();
  for (const [k, v] of d.headers) headers.append(k, v);
  return new Response(d.body === "" ? null : d.body, { status: d.status, headers });
}

// forwardHeaders is the request's header as the decision d changes it:
// a copy made by the runtime in one call, then edited. Building the copy
// from a list of pairs measured three times slower in workerd, since each
// pair is converted on its own.
function forwardHeaders(request, d) {
  const h = new Headers(request.headers);
  for (const k of d.remove) h.delete(k);
  for (const [k, v] of d.set) h.set(k, v);
  return h;
}

async function forward(inst, request, input, d) {
  const headers = forwardHeaders(request, d);
  const init = { method: request.method, headers, redirect: "manual" };
  if (request.method !== "GET" && request.method !== "HEAD") {
    init.body = request.body;
  }

  let res;
  try {
    res = await fetch(d.url, init);
  } catch (err) {
    const cause = String(err && err.message ? err.message : err);
    return answer(parse(inst.binding.originFailed(input, cause)));
  }

  // Most answers (images, scripts, JSON) need nothing changed; they go
  // back as fetch gave them, which spares a copy of the response.
  const relinks = d.rewrite !== null && needsRelink(res);
  if (d.add.length === 0 && !relinks) {
    return res;
  }
  res = new Response(res.body, res);
  for (const [k, v] of d.add) res.headers.append(k, v);
  return relinks ? relinkAnswer(res, d.rewrite) : res;
}

// Link rewriting, for a gate reached on its own host with ORIGIN_URL: a
// CloudPage writes absolute links and form actions to its own host, which
// would take a signed-in user off the gate at the first click. The Go side
// says which prefixes to replace (gate.Rewrite); this applies it to the
// Location of a redirect and, streaming, to the links of an HTML answer.

const LINKS = [
  ["a", "href"], ["area", "href"], ["link", "href"], ["base", "href"], ["form", "action"],
  ["button", "formaction"], ["input", "formaction"], ["img", "src"], ["script", "src"],
  ["iframe", "src"], ["source", "src"], ["video", "src"], ["audio", "src"], ["embed", "src"],
];

function relink(value, rw) {
  const v = value.trim();
  const lower = v.toLowerCase();
  for (const from of rw.from) {
    if (!lower.startsWith(from.toLowerCase())) continue;
    const next = v.charAt(from.length);
    if (next === "" || next === "/" || next === "?" || next === "#") {
      const rest = v.slice(from.length);
      return rw.to + (rest === "" || rest[0] !== "/" ? "/" + rest : rest);
    }
  }
  return value;
}

// needsRelink reports whether an answer has links to rewrite: a redirect's
// Location, or an HTML body.
function needsRelink(res) {
  return res.headers.has("location") || isHTML(res);
}

function isHTML(res) {
  return (res.headers.get("content-type") ?? "").toLowerCase().includes("text/html");
}

function relinkAnswer(res, rw) {
  const loc = res.headers.get("location");
  if (loc !== null) {
    const moved = relink(loc, rw);
    if (moved !== loc) res.headers.set("location", moved);
  }
  if (!isHTML(res)) {
    return res;
  }

  const rewriter = new HTMLRewriter();
  for (const [tag, attr] of LINKS) {
    rewriter.on(`${tag}[${attr}]`, {
      element(el) {
        const v = el.getAttribute(attr);
        const moved = relink(v, rw);
        if (moved !== v) el.setAttribute(attr, moved);
      },
    });
  }
  rewriter.on("meta[http-equiv][content]", {
    element(el) {
      if (el.getAttribute("http-equiv").toLowerCase() !== "refresh") return;
      const v = el.getAttribute("content");
      const m = v.match(/^(\s*\d*\s*;\s*url\s*=\s*['"]?)([^'"]*)(['"]?\s*)$/i);
      if (m) el.setAttribute("content", m[1] + relink(m[2], rw) + m[3]);
    },
  });
  return rewriter.transform(res);
}

// failed answers a request that the Go program could not decide (it trapped
// or exited), and logs why under the request's id. Go's pages are out of
// reach here, so the answer is plain text with the same advice.
function failed(request, err) {
  const id = requestID(request);
  log("error", "runtime_failed", String(err), id);
  const text = "The sign-in gate failed while handling this request. Try again; if it keeps " +
    `failing, tell the site's administrator and quote request id ${id}.\n`;
  return new Response(text, {
    status: 500,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

export default {
  async fetch(request, env, ctx) {
    let inst, d;
    const input = encode(request);
    try {
      // A running instance is taken without an await, which would cost
      // every request a turn of the microtask queue.
      inst = usable(current) ? refresh(current, env, ctx) : await instance(env, ctx);
      let s = decideNow(inst, input);
      if (s === null) {
        s = await settle(inst, inst.binding.decideAsync(input));
      }
      if (inst.go.exited || typeof s !== "string") {
        throw new Error("the Go program exited");
      }
      d = parse(s);
    } catch (err) {
      // A trap or an exit leaves the instance unusable; the next request
      // starts a fresh one.
      if (inst) inst.isDead = true;
      return failed(request, err);
    }
    return d.url === undefined ? answer(d) : forward(inst, request, input, d);
  },
};
