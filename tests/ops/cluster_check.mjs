// Assertions of cluster_test.sh, over real HTTP to two app servers and nginx in front.
import assert from "node:assert/strict";

const { SERVER_A, SERVER_B, BALANCER, PID_A } = process.env;
const form = (fields) => new URLSearchParams(fields).toString();
const formHeaders = (extra = {}) => ({ "content-type": "application/x-www-form-urlencoded", ...extra });

async function call(base, fn, fields, headers = {}) {
  return fetch(`${base}/api/${fn}`, { method: "POST", headers: formHeaders(headers), body: form(fields), redirect: "manual" });
}

// 1. A session made through one server works through the other.
const email = `cluster-${Date.now()}@codex.test`;
const registered = await call(SERVER_A, "register", { name: "Cluster", email, password: "Cluster1pass", confirm_password: "Cluster1pass" }, { "x-forwarded-for": "10.9.0.1" });
assert.equal(registered.status, 200, "registration through server a");
const cookie = registered.headers.getSetCookie().find((c) => c.startsWith("codex_session=")).split(";")[0];
const me = await call(SERVER_B, "current_user", {}, { cookie });
assert.equal(me.status, 200);
assert.equal((await me.json()).email, email, "server b knows the session made on server a");
console.log("ok: a session made through server a works through server b");

// 2. Rate-limit counters are shared: five attempts on a, the sixth on b is refused.
const attacker = { "x-forwarded-for": "10.9.0.2" };
for (let i = 0; i < 5; i++) {
  const r = await call(SERVER_A, "login", { email, password: "Wrong1pass" }, attacker);
  assert.equal(r.status, 401);
}
const limited = await call(SERVER_B, "login", { email, password: "Wrong1pass" }, attacker);
assert.equal(limited.status, 429, "the sixth attempt through server b is limited");
assert.ok(limited.headers.get("retry-after"));
console.log("ok: rate-limit counters are shared by both servers");

// 3. Load through nginx while server a stops: no request fails.
const total = 1500;
const concurrency = 6;
let sent = 0;
let failures = 0;
let stopped = false;
const paths = ["/health", "/login", "/ready", "/"];
async function worker() {
  while (sent < total) {
    const n = sent++;
    if (!stopped && n >= total / 3) {
      stopped = true;
      process.kill(Number(PID_A), "SIGTERM");
      console.log(`SIGTERM sent to server a after ${n} requests`);
    }
    try {
      const r = await fetch(`${BALANCER}${paths[n % paths.length]}`, { headers: { accept: "text/html" } });
      await r.arrayBuffer();
      if (r.status !== 200) {
        failures++;
        console.log(`request ${n} got ${r.status}`);
      }
    } catch (e) {
      failures++;
      console.log(`request ${n} failed: ${e.message}`);
    }
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (Date.now() - started) / 1000;
console.log(`load: ${total} requests in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} req/s), ${failures} failed`);
assert.equal(failures, 0, "no request lost while server a stopped");
console.log("ok: stopping one server mid-load lost no request");
