// The floor for `make bench`: the least a pass-through Worker can do. It
// sends each request to ORIGIN_URL with its method, headers and body, and
// returns the origin's answer as it is. The gate is measured against it.
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    const init = { method: request.method, headers: request.headers, redirect: "manual" };
    if (request.method !== "GET" && request.method !== "HEAD") init.body = request.body;
    return fetch(env.ORIGIN_URL + url.pathname + url.search, init);
  },
};
