import { test, expect, open, publishItem, generatedVideo, ownerPage, openItem, verifiedCustomer, adminLink } from "./helpers";

test("a customer plays and seeks; the owner sees the view, the minutes, the retention curve and the startup time", async ({ browser, page }, testInfo) => {
  const title = `Watched talk ${Date.now()}`;
  // The content spec's 20 s lecture, shared: uploads are limited to 10 an hour.
  await publishItem(browser, generatedVideo(testInfo.outputPath("lecture.mp4"), 20), { title, price: "0" }, { reuseMedia: true });

  await verifiedCustomer(browser, page, "Viewer");
  await openItem(page, title);
  await page.getByRole("button", { name: "Get access" }).click();
  await page.getByRole("link", { name: "Watch", exact: true }).click();
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  const video = page.locator("video#player-media");
  const position = () => video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await page.keyboard.press("Space");
  await expect.poll(position, { timeout: 30_000 }).toBeGreaterThan(3);
  // Ahead to the last part: the middle is never watched.
  await video.evaluate((v: HTMLVideoElement) => { v.currentTime = 14; });
  await expect.poll(position, { timeout: 30_000 }).toBeGreaterThan(16);
  // Pausing sends the session's report.
  const report = page.waitForResponse((r) => r.url().endsWith("/analytics/viewing") && r.status() === 204);
  await page.keyboard.press("Space");
  await report;

  const owner = await ownerPage(browser);
  await adminLink(owner, "Analytics");
  await expect(owner.getByRole("heading", { name: "Analytics", exact: true })).toBeVisible();
  await owner.getByRole("button", { name: "Update now" }).click();
  const row = owner.getByRole("row").filter({ has: owner.getByRole("link", { name: title }) });
  await expect(row.getByRole("cell").nth(1)).toHaveText("1");
  await expect(owner.getByRole("img", { name: "Views per day" })).toBeVisible();

  await row.getByRole("link", { name: title }).click();
  await expect(owner.getByRole("heading", { name: `Analytics: ${title}` })).toBeVisible();
  await expect(owner.locator('[data-figure="views"]')).toHaveText("1");
  await expect(owner.locator('[data-figure="minutes"]')).toHaveText(/^\d+ s$/);
  await expect(owner.getByRole("img", { name: "Retention: share of views still watching" })).toBeVisible();
  // The retention table: the start was watched, the middle skipped.
  const retention = owner.locator("figcaption table").filter({ hasText: "Still watching" });
  await expect(retention.getByRole("row", { name: /^0:00 100\.0%$/ })).toBeAttached();
  await expect(retention.getByRole("row", { name: /^0:10 0\.0%$/ })).toBeAttached();
  await expect(owner.locator('[data-figure="startup-p50"]')).toHaveText(/^≤ \d+\.\d s$/);

  // The same figures sit on the item's editor.
  await open(owner, "/admin/content");
  await owner.getByRole("link", { name: title, exact: true }).click();
  await expect(owner.getByRole("region", { name: "Last 30 days" })).toContainText("Last 30 days: 1 view ·");
});
