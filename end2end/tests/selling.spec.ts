import {
  test, expect, open, publishItem, generatedVideo, ownerPage, verifiedCustomer, openItem, payOnCheckout, openEditor,
  setRentalPrice, createDiscountCode,
} from "./helpers";

/** The items of these tests share one media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";

test("a customer applies a discount code and pays the reduced price", async ({ browser, page }, testInfo) => {
  const title = `Discounted film ${Date.now()}`;
  const code = `SAVE${Date.now() % 1_000_000}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "10.00" }, { reuseMedia: true });

  const owner = await ownerPage(browser);
  await createDiscountCode(owner, code, "25%", { items: [title], limit: "5" });
  const row = owner.getByRole("table", { name: "Discount codes" }).getByRole("row", { name: new RegExp(code) });
  await expect(row).toContainText("25% off");
  await expect(row).toContainText("0 of 5");

  await verifiedCustomer(browser, page, "Bargain");
  await openItem(page, title);
  await page.getByText("Have a code?").click();
  await page.getByLabel("Discount code").fill("nope-code");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("alert")).toContainText("This discount code is not valid for this item.");
  await page.getByLabel("Discount code").fill(code.toLowerCase());
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status")).toContainText(`Code ${code} applied: 25% off.`);
  await expect(page.locator(".buy-price")).toContainText("$7.50");
  await page.getByRole("button", { name: "Buy now" }).click();
  await payOnCheckout(page, "$7.50");

  await open(page, "/account/purchases");
  await expect(page.locator("tr.purchase-row", { hasText: title })).toContainText("$7.50");
  await open(owner, "/admin/discounts");
  await expect(owner.getByRole("row", { name: new RegExp(code) })).toContainText("1 of 5");
  await owner.context().close();
});

test("a customer buys a bundle and watches two of its items", async ({ browser, page }, testInfo) => {
  // Two items published, a bundle made, bought and both played: over a minute on a busy machine.
  test.setTimeout(120_000);
  const stamp = Date.now();
  const first = `Bundle part one ${stamp}`;
  const second = `Bundle part two ${stamp}`;
  const bundle = `Complete set ${stamp}`;
  const media = generatedVideo(testInfo.outputPath(MEDIA));
  await publishItem(browser, media, { title: first, price: "6.00" }, { reuseMedia: true });
  await publishItem(browser, media, { title: second, price: "6.00" }, { reuseMedia: true });

  const owner = await ownerPage(browser);
  await open(owner, "/admin/content/new");
  await owner.getByLabel("Title").fill(bundle);
  await owner.getByLabel("Price").fill("9.00");
  await owner.getByRole("button", { name: "Save", exact: true }).click();
  await expect(owner).toHaveURL(/\/admin\/content\/[0-9a-f-]{36}$/);
  const section = owner.getByRole("region", { name: "Bundle" });
  await section.getByLabel(first).check();
  await section.getByLabel(second).check();
  await section.getByRole("button", { name: "Save bundle" }).click();
  await expect(section.getByRole("status")).toContainText("Bundle saved.");
  await owner.reload();
  // Published before the editor is left: leaving at once could cancel the request.
  const published = owner.waitForResponse((r) => r.url().includes("save_content") && r.request().method() === "POST");
  await owner.getByRole("button", { name: "Publish" }).click();
  await published;
  await openEditor(owner, bundle);
  await expect(owner.getByRole("button", { name: "Unpublish" })).toBeVisible();
  await owner.context().close();

  await verifiedCustomer(browser, page, "Collector");
  await openItem(page, bundle);
  const contents = page.getByRole("list", { name: "In this bundle" });
  await expect(contents).toContainText(first);
  await expect(contents).toContainText(second);
  await expect(page.getByText("You save $3.00.")).toBeVisible();
  await page.getByRole("button", { name: "Buy now" }).click();
  await payOnCheckout(page, "$9.00");
  await page.getByRole("link", { name: "Open in library" }).click();

  const opened = page.getByRole("list", { name: "From your receipt" });
  for (const title of [first, second]) {
    await expect(opened.getByRole("link", { name: title })).toBeVisible();
  }
  for (const title of [first, second]) {
    await open(page, "/library");
    await page.getByRole("list", { name: "Library" }).getByRole("link", { name: title }).click();
    await expect(page).toHaveURL(/\/watch\//);
    await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  }
});

test("a customer rents an item and the library shows the time left", async ({ browser, page }, testInfo) => {
  const title = `Rentable film ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "20.00" }, { reuseMedia: true });
  const owner = await ownerPage(browser);
  await setRentalPrice(owner, title, "2.99");
  await owner.context().close();

  await verifiedCustomer(browser, page, "Renter");
  await openItem(page, title);
  await expect(page.locator(".offer-row", { hasText: "Rent for $2.99" })).toBeVisible();
  await page.getByRole("button", { name: "Rent" }).click();
  await payOnCheckout(page, "$2.99");

  await open(page, "/library");
  const card = page.locator(".library-card", { hasText: title });
  await expect(card).toContainText("Rental: start within 30 days");
  await card.getByRole("link", { name: title }).click();
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  await open(page, "/library");
  await expect(page.locator(".library-card", { hasText: title })).toContainText("Rental: 72 hours left");
  // Renting does not keep it: buying is still offered.
  await openItem(page, title);
  await expect(page.getByRole("button", { name: "Buy now" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Watch" })).toBeVisible();
});
