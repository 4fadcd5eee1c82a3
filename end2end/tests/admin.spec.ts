import {
  test, expect, open, register, uniqueEmail, publishItem, generatedVideo, ownerPage, newClient,
} from "./helpers";
import type { Page } from "@playwright/test";

async function saveSettings(owner: Page, change: (page: Page) => Promise<void>) {
  await open(owner, "/admin/settings");
  await change(owner);
  await owner.getByRole("button", { name: "Save", exact: true }).click();
  await expect(owner.getByRole("status")).toContainText("Settings saved");
}

test("the owner renames the platform and changes its colour; the public catalog shows both", async ({ browser }) => {
  const name = `Film Club ${Date.now()}`;
  const owner = await ownerPage(browser);
  await saveSettings(owner, async (page) => {
    await page.getByLabel("Platform name").fill(name);
    await page.getByLabel("Primary colour", { exact: true }).fill("#0F766E");
    // The preview follows the form before anything is saved.
    await expect(page.getByRole("group", { name: "Preview" })).toContainText(name);
  });
  await owner.context().close();

  const visitor = await newClient(browser);
  await open(visitor, "/");
  await expect(visitor.locator(".site-header .brand")).toContainText(name);
  const primary = await visitor.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue("--primary").trim(),
  );
  expect(primary.toUpperCase()).toBe("#0F766E");
  // The tab carries the name too, also on a page the browser renders itself.
  const tabTitle = (page: string) => new RegExp(`^${page} · ${name}$`);
  await expect(visitor).toHaveTitle(tabTitle("Catalog"));
  await visitor.getByRole("link", { name: "Log in" }).click();
  await expect(visitor).toHaveURL(/\/login/);
  await expect(visitor).toHaveTitle(tabTitle("Log in"));
  await visitor.context().close();
});

test("the owner finds a customer and grants an item; it is in the customer's library", async ({ browser, page }, testInfo) => {
  const title = `Granted course ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath("course.mp4")), { title, price: "3.00" });
  const email = uniqueEmail("granted");
  await register(page, "Grace", email);

  const owner = await ownerPage(browser);
  await open(owner, "/admin/customers");
  await owner.getByLabel("Search customers").fill(email);
  await owner.getByRole("button", { name: "Search" }).click();
  await owner.getByRole("link", { name: email }).click();
  await expect(owner.getByRole("heading", { name: "Grace" })).toBeVisible();
  await expect(owner.locator("body[data-hydrated]")).toBeAttached();
  await owner.getByLabel("Item").selectOption({ label: title });
  await owner.getByRole("button", { name: "Grant access" }).click();
  await expect(owner.getByRole("status")).toContainText("Access granted");
  await expect(owner.locator("ul.owned")).toContainText(title);
  await owner.context().close();

  await open(page, "/library");
  await expect(page.getByRole("list", { name: "Library" }).getByRole("link", { name: title })).toBeVisible();
});

test("an email switched off is not sent; verification still is", async ({ browser, page }) => {
  const owner = await ownerPage(browser);
  await saveSettings(owner, async (p) => { await p.getByLabel("Welcome email", { exact: true }).uncheck(); });

  const email = uniqueEmail("quiet");
  await register(page, "Quinn", email);

  await open(owner, "/admin/emails");
  const rows = owner.locator("tr.outbox-row", { hasText: email });
  await expect(rows.filter({ hasText: "Verify your email" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Welcome" })).toHaveCount(0);

  await saveSettings(owner, async (p) => { await p.getByLabel("Welcome email", { exact: true }).check(); });
  await owner.context().close();
});

test("the dashboard shows the figures and the revenue chart", async ({ browser }) => {
  const owner = await ownerPage(browser);
  await open(owner, "/admin");
  await expect(owner.getByText("Revenue, all time")).toBeVisible();
  await expect(owner.getByRole("img", { name: "Revenue per day, last 30 days" })).toBeVisible();
  await expect(owner.locator("svg.revenue-chart").getByText("Revenue (USD)")).toBeAttached();
  await owner.context().close();
});
