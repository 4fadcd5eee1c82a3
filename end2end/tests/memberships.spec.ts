import {
  test, expect, open, publishItem, generatedVideo, ownerPage, verifiedCustomer, openItem, PAYING_CARD, eventually,
} from "./helpers";

/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";

test("a customer subscribes to a tier, watches, and cancels", async ({ browser, page }, testInfo) => {
  const stamp = Date.now();
  const title = `Members film ${stamp}`;
  const tier = `Club ${stamp}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "30.00" }, { reuseMedia: true });

  const owner = await ownerPage(browser);
  await open(owner, "/admin/memberships");
  await owner.getByLabel("Name").fill(tier);
  await owner.getByLabel("Monthly price").fill("4.00");
  await owner.getByLabel(title).check();
  await owner.getByRole("button", { name: "Create tier" }).click();
  await expect(owner.getByRole("status")).toContainText("Tier created.");
  const row = owner.getByRole("table", { name: "Tiers" }).getByRole("row", { name: new RegExp(tier) });
  await expect(row).toContainText("$4.00/month");
  await expect(row).toContainText(title);

  await verifiedCustomer(browser, page, "Member");
  await openItem(page, title);
  await expect(page.getByRole("link", { name: "Watch" })).toHaveCount(0);
  await expect(page.getByText(`Included in the ${tier} membership.`)).toBeVisible();
  await page.getByRole("link", { name: "See memberships" }).click();
  await expect(page).toHaveURL(/\/pricing$/);
  const card = page.getByRole("region", { name: tier });
  await expect(card).toContainText("$4.00/month");
  await card.getByRole("button", { name: "Subscribe" }).click();
  await expect(page).toHaveURL(/\/pay\/cs_test_/);
  await page.getByLabel("Card number").fill(PAYING_CARD);
  await page.getByRole("button", { name: "Pay $4.00" }).click();
  await expect(page.getByRole("status").first()).toContainText("Welcome! Your membership is active.");
  await expect(page.getByRole("region", { name: "Your membership" })).toContainText("Active: renews on");

  await openItem(page, title);
  await page.getByRole("link", { name: "Watch" }).click();
  await expect(page).toHaveURL(/\/watch\//);
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();

  await open(owner, "/admin");
  await expect(owner.locator('[data-figure="members"]')).not.toHaveText("0");
  // The membership's payment is among the owner's purchases.
  await eventually(owner, "/admin/purchases", async () => {
    const payment = owner.getByRole("table", { name: "Membership payments" }).getByRole("row", { name: new RegExp(tier) });
    await expect(payment).toContainText("$4.00", { timeout: 1_000 });
    await expect(payment).toContainText("Paid", { timeout: 1_000 });
  });
  await owner.context().close();

  // Cancelling in the customer portal keeps the membership to the end of the period.
  await open(page, "/pricing");
  await page.getByRole("button", { name: "Manage membership" }).click();
  await expect(page.getByRole("heading", { name: "Manage your membership" })).toBeVisible();
  await page.getByRole("button", { name: "Cancel membership" }).click();
  await expect(page.getByRole("status")).toContainText("Cancels on");
  await page.getByRole("link", { name: "Return to the site" }).click();
  await expect(page.getByRole("region", { name: "Your membership" })).toContainText(
    "Cancelled: your membership ends on",
  );
  await openItem(page, title);
  await expect(page.getByRole("link", { name: "Watch" })).toBeVisible();
});
