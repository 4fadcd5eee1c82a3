import {
  test, expect, open, register, uniqueEmail, linkFromMail, publishItem, generatedVideo, ownerPage,
  verifiedCustomer, openItem, PAYING_CARD,
} from "./helpers";
import type { Browser, Page } from "@playwright/test";

const DECLINED_CARD = "4000 0000 0000 0002";

test("a customer buys with the test card and watches; the owner refunds and access ends", async ({ browser, page }, testInfo) => {
  const title = `Paid documentary ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath("documentary.mp4")), { title, price: "4.99" });
  const email = await verifiedCustomer(browser, page, "Buyer");

  await openItem(page, title);
  await expect(page.getByText("Test mode")).toBeVisible();
  await page.getByRole("button", { name: "Buy now" }).click();

  // The stand-in's hosted checkout page: a declined card first, then the paying one.
  await expect(page).toHaveURL(/\/pay\/cs_test_/);
  await page.getByLabel("Card number").fill(DECLINED_CARD);
  await page.getByRole("button", { name: "Pay $4.99" }).click();
  await expect(page.getByRole("alert")).toContainText("declined");
  await page.getByLabel("Card number").fill(PAYING_CARD);
  await page.getByRole("button", { name: "Pay $4.99" }).click();

  await expect(page).toHaveURL(/\/checkout\/success\?session_id=cs_test_/);
  await expect(page.getByRole("heading", { name: "Payment received" })).toBeVisible();
  await page.getByRole("link", { name: "Watch" }).click();
  await expect(page).toHaveURL(/\/watch\//);
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();

  await open(page, "/account/purchases");
  const purchase = page.locator("tr.purchase-row", { hasText: title });
  await expect(purchase).toContainText("$4.99");
  await expect(purchase).toContainText("Completed");
  await purchase.getByRole("link", { name: `Receipt for ${title}` }).click();
  await expect(page.getByRole("heading", { name: "Receipt" })).toBeVisible();
  await expect(page.getByText(/^pi_/)).toBeVisible();

  const owner = await ownerPage(browser);
  await open(owner, `/admin/purchases?q=${encodeURIComponent(email)}`);
  const row = owner.locator("tr.purchase-row", { hasText: title });
  await row.getByText("Refund…").click();
  await row.getByLabel("Reason").fill("Requested by the customer");
  await row.getByLabel(/Refund \$4\.99 to/).check();
  await row.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(owner.getByRole("status")).toContainText("Refunded");
  await expect(owner.locator("tr.purchase-row", { hasText: title })).toContainText("Refunded");
  const filters = owner.getByRole("navigation", { name: "Filter by status" });
  await filters.getByRole("link", { name: "Refunded" }).click();
  await expect(filters.getByRole("link", { name: "Refunded" })).toHaveAttribute("aria-current", "page");
  await expect(owner.locator("tr.purchase-row", { hasText: title })).toBeVisible();
  await filters.getByRole("link", { name: "Completed" }).click();
  await expect(filters.getByRole("link", { name: "Completed" })).toHaveAttribute("aria-current", "page");
  await expect(owner.locator("tr.purchase-row", { hasText: title })).toHaveCount(0);
  await owner.context().close();

  await openItem(page, title);
  await expect(page.getByRole("button", { name: "Buy now" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Watch" })).toHaveCount(0);
  await open(page, "/account/purchases");
  await expect(page.locator("tr.purchase-row", { hasText: title })).toContainText("Refunded");
});

test("a declined card leaves no access, and the customer can cancel", async ({ browser, page }, testInfo) => {
  const title = `Declined lesson ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath("lesson.mp4")), { title, price: "2.50" });
  await verifiedCustomer(browser, page, "Decliner");

  await openItem(page, title);
  await page.getByRole("button", { name: "Buy now" }).click();
  await page.getByLabel("Card number").fill(DECLINED_CARD);
  await page.getByRole("button", { name: "Pay $2.50" }).click();
  await expect(page.getByRole("alert")).toContainText("declined");
  await page.getByRole("button", { name: "Cancel and return" }).click();

  await expect(page).toHaveURL(/checkout=cancelled/);
  await expect(page.getByText("Checkout cancelled: you have not been charged.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Buy now" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Watch" })).toHaveCount(0);
  await open(page, "/library");
  await expect(page.getByRole("link", { name: title })).toHaveCount(0);
});
