import {
  test, expect, open, register, uniqueEmail, linkFromMail, publishItem, generatedVideo, ownerPage, openItem,
  eventually,
} from "./helpers";

/** Stripe's test card whose payment the buyer's bank then disputes. */
const DISPUTED_CARD = "4000 0000 0000 0259";

test("the owner sees a dispute and the customer loses Watch, then regains it when it is won", async ({ browser, page, request }, testInfo) => {
  const title = `Disputed course ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath("course.mp4")), { title, price: "7.00" });
  const email = uniqueEmail("disputer");
  await register(page, "Disputer", email);
  await open(page, await linkFromMail(email, "/verify-email?token="));

  await openItem(page, title);
  await page.getByRole("button", { name: "Buy now" }).click();
  await expect(page).toHaveURL(/\/pay\/cs_test_/);
  // The stand-in plays Stripe: its API is where the checkout page is.
  const stripe = new URL(page.url()).origin;
  await page.getByLabel("Card number").fill(DISPUTED_CARD);
  await page.getByRole("button", { name: "Pay $7.00" }).click();
  // The dispute may reach the app before the success page confirms the payment.
  await expect(page.getByRole("heading", { name: /Payment (received|disputed)/ })).toBeVisible();

  // The bank's dispute arrives: the owner sees it, the customer's access is suspended.
  const owner = await ownerPage(browser);
  const purchases = `/admin/purchases?q=${encodeURIComponent(email)}`;
  const row = () => owner.locator("tr.purchase-row", { hasText: title });
  await eventually(owner, purchases, async () => {
    await expect(row()).toContainText("Disputed", { timeout: 1_000 });
  });
  const payment = (await row().locator("code").textContent())?.trim() ?? "";
  expect(payment).toMatch(/^pi_/);
  await openItem(page, title);
  await expect(page.getByRole("link", { name: "Watch" })).toHaveCount(0);
  await open(owner, "/admin");
  await expect(owner.getByRole("region", { name: "Sales" })).toContainText("1 open");

  // The owner answers in Stripe with winning evidence; the dispute closes in their favour.
  const auth = { Authorization: "Bearer sk_test_owner_dashboard" };
  const listed = await request.get(`${stripe}/v1/disputes?payment_intent=${payment}`, { headers: auth });
  expect(listed.ok()).toBeTruthy();
  const dispute = (await listed.json()).data[0].id as string;
  const won = await request.post(`${stripe}/v1/disputes/${dispute}`, {
    headers: auth,
    form: { "evidence[uncategorized_text]": "winning_evidence" },
  });
  expect(won.ok()).toBeTruthy();

  await eventually(owner, purchases, async () => {
    await expect(row()).toContainText("Completed", { timeout: 1_000 });
  });
  await eventually(page, `/?q=${encodeURIComponent(title)}`, async () => {
    await page.getByRole("link", { name: title }).click();
    await expect(page.getByRole("link", { name: "Watch" })).toBeVisible({ timeout: 1_000 });
  });
  await page.getByRole("link", { name: "Watch" }).click();
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  await owner.context().close();
});
