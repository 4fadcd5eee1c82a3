// Assertions of webhook_kill_test.sh: customers pay while the server is killed (SIGKILL)
// and started again; the Stripe stand-in, running on its own, retries the deliveries that
// failed. Every payment ends in exactly one completed purchase, one access and one receipt.
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";

const { SERVER, SERVER_BIN, DB_URL, LOG, CUSTOMERS } = process.env;
const count = Number(CUSTOMERS);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sql = (query) => execFileSync("psql", [DB_URL, "-tAq", "-c", query]).toString().trim();
const form = (fields) => new URLSearchParams(fields).toString();

let server;
// The server never outlives this check, whatever happens to it.
process.on("exit", () => server?.kill("SIGKILL"));
function startServer() {
  const log = fs.openSync(LOG, "a");
  server = spawn(SERVER_BIN, ["serve"], { env: process.env, stdio: ["ignore", log, log] });
}
async function waitReady() {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${SERVER}/ready`)).status === 200) return;
    } catch {}
    await sleep(250);
  }
  throw new Error("the server did not become ready");
}

async function call(fn, fields, cookie, ip) {
  const headers = { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": ip };
  if (cookie) headers.cookie = cookie;
  return fetch(`${SERVER}/api/${fn}`, { method: "POST", headers, body: form(fields), redirect: "manual" });
}
const cookieOf = (response) => response.headers.getSetCookie().find((c) => c.startsWith("codex_session=")).split(";")[0];

startServer();
await waitReady();

// The owner and a paid item on a ready media item.
const owner = await call("setup_owner", { name: "Owner", email: "owner@codex.test", password: "Owner1pass", confirm_password: "Owner1pass" }, null, "10.5.0.1");
assert.equal(owner.status, 200);
const ownerCookie = cookieOf(owner);
const media = sql(`INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status, duration_seconds)
  SELECT gen_random_uuid(), id, 'video', 'clip.mp4', 'video/mp4', 1000, 'ready', 60 FROM users WHERE role = 'owner' RETURNING id`).split("\n")[0];
const saved = await call("save_content", { title: "Paid film", media_id: media, price: "12.99", intent: "publish" }, ownerCookie, "10.5.0.1");
assert.equal(saved.status, 200, "the item is published");
const content = await saved.json();

// Customers, each with a checkout session on the stand-in's page.
const payUrls = [];
for (let n = 0; n < count; n++) {
  const ip = `10.5.1.${n + 1}`;
  const email = `buyer-${n}@codex.test`;
  const registered = await call("register", { name: `Buyer ${n}`, email, password: "Buyer1pass", confirm_password: "Buyer1pass" }, null, ip);
  assert.equal(registered.status, 200);
  sql(`UPDATE users SET email_verified_at = now() WHERE email = '${email}'`);
  const started = await fetch(`${SERVER}/checkout/start`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieOf(registered), "x-forwarded-for": ip },
    body: form({ content_id: content }),
    redirect: "manual",
  });
  assert.equal(started.status, 303);
  payUrls.push(started.headers.get("location"));
}

// Everyone pays at once; the server is killed as the first webhooks arrive.
const paying = payUrls.map((url) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form({ card: "4242424242424242" }), redirect: "manual" }),
);
for (let i = 0; i < 500 && Number(sql("SELECT count(*) FROM purchases WHERE status = 'completed'")) === 0; i++) {
  await sleep(5);
}
server.kill("SIGKILL");
const before = Number(sql("SELECT count(*) FROM purchases WHERE status = 'completed'"));
const paid = await Promise.all(paying);
assert.ok(paid.every((r) => r.status === 303 || r.status === 200), "every payment went through on the stand-in");
console.log(`killed the server with ${before} of ${count} purchases completed`);
assert.ok(before < count, "the kill came while webhooks were still arriving");
await sleep(2000);
startServer();
await waitReady();

let completed = 0;
for (let i = 0; i < 120 && completed < count; i++) {
  completed = Number(sql("SELECT count(*) FROM purchases WHERE status = 'completed'"));
  if (completed < count) await sleep(500);
}
assert.equal(completed, count, "every payment completed its purchase after the restart");
await sleep(3000); // late duplicate deliveries, if any, arrive meanwhile
assert.equal(Number(sql("SELECT count(*) FROM purchases")), count, "one purchase per customer");
assert.equal(Number(sql("SELECT count(*) FROM purchases WHERE status = 'completed'")), count);
assert.equal(Number(sql("SELECT count(*) FROM access WHERE reason = 'purchased' AND revoked_at IS NULL")), count, "one access each");
assert.equal(Number(sql("SELECT count(*) FROM email_outbox WHERE kind = 'purchase_receipt'")), count, "one receipt each");
assert.equal(Number(sql("SELECT count(*) FROM email_outbox WHERE kind = 'sale_notification'")), count, "one sale notice each");
server.kill("SIGTERM");
console.log(`ok: ${count} payments across a killed server: ${count} purchases, accesses and receipts, none twice`);
