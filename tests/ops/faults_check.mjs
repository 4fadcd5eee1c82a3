// Assertions of faults_test.sh: the database goes away under load and comes back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

const { SERVER, PROXY_PID, REQUEST_TIMEOUT_SECS } = process.env;
const limit = (Number(REQUEST_TIMEOUT_SECS) + 5) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function timed(path, init = {}) {
  const started = Date.now();
  try {
    const response = await fetch(`${SERVER}${path}`, { ...init, redirect: "manual", signal: AbortSignal.timeout(limit + 10_000) });
    await response.arrayBuffer();
    return { status: response.status, ms: Date.now() - started };
  } catch (error) {
    return { status: `error: ${error.name}`, ms: Date.now() - started };
  }
}

const login = () =>
  timed("/api/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": `10.7.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` },
    body: new URLSearchParams({ email: "faults@codex.test", password: "Faults1pass" }).toString(),
  });

// Load: pages and logins, all through the outage, none allowed to hang.
let running = true;
const results = [];
const workers = Array.from({ length: 4 }, async (_, n) => {
  while (running) {
    results.push(await (n % 2 ? timed("/") : login()));
    await sleep(50);
  }
});

await sleep(1500);
assert.ok(results.length > 0 && results.every((r) => r.status === 200), "all good before the outage");
execFileSync("kill", ["-USR1", PROXY_PID]);
await sleep(1000);
const during = await timed("/ready");
assert.equal(during.status, 503, "/ready says 503 while the database is away");
const health = await timed("/health");
assert.equal(health.status, 200, "/health still answers");
await sleep(4000);
execFileSync("kill", ["-USR2", PROXY_PID]);

// Recovery without a restart: ready again, and a login works.
let ready = false;
for (let i = 0; i < 60 && !ready; i++) {
  ready = (await timed("/ready")).status === 200;
  if (!ready) await sleep(500);
}
assert.ok(ready, "/ready is 200 again within 30 s of the database coming back");
await sleep(1500);
running = false;
await Promise.all(workers);
const after = await login();
assert.equal(after.status, 200, "a login works after the outage");

const slowest = Math.max(...results.map((r) => r.ms));
const hung = results.filter((r) => r.ms > limit || String(r.status).startsWith("error"));
const counts = results.reduce((c, r) => ((c[r.status] = (c[r.status] ?? 0) + 1), c), {});
console.log(`load: ${results.length} requests, answers ${JSON.stringify(counts)}, slowest ${slowest} ms`);
assert.deepEqual(hung, [], `no request hangs past the request timeout (${limit} ms)`);
console.log("ok: the database went away under load; /ready said 503, nothing hung, and the server recovered by itself");
