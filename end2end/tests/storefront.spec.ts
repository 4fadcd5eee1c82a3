import {
  ensureCategory, expect, generatedVideo, newClient, open, openItem, ownerPage, payOnCheckout, publishItem,
  randomClientIp, saveStorefront, test, verifiedCustomer,
} from "./helpers";

/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";

test("the owner orders categories; visitors browse the catalog by them", async ({ browser }, testInfo) => {
  const stamp = Date.now();
  const first = `Lectures ${stamp}`;
  const second = `Recipes ${stamp}`;
  const owner = await ownerPage(browser);
  await ensureCategory(owner, `Talks ${stamp}`);
  await ensureCategory(owner, second);
  const list = owner.getByRole("list", { name: "Categories" });

  // Renamed in place, then moved before the other one.
  await owner.getByLabel(`Name of Talks ${stamp}`, { exact: true }).fill(first);
  await owner.getByRole("button", { name: `Rename Talks ${stamp}` }).click();
  await expect(owner.getByLabel(`Name of ${first}`, { exact: true })).toBeVisible();
  await owner.getByRole("button", { name: `Move ${second} up` }).click();
  const order = async () => list.locator("input[name=new_name]").evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  await expect.poll(async () => {
    const names = await order();
    return names.indexOf(second) < names.indexOf(first);
  }).toBe(true);

  // A name taken already is refused with a message, and nothing changes.
  await owner.getByLabel("New category").fill(second);
  await owner.getByRole("button", { name: "Add category" }).click();
  await expect(owner.getByRole("alert")).toContainText(`There is already a category named ${second}`);
  await owner.context().close();

  const title = `Knife skills ${stamp}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "5.00", category: second }, { reuseMedia: true });

  const visitor = await newClient(browser);
  await open(visitor, "/");
  const filters = visitor.getByRole("navigation", { name: "Categories" });
  await expect(filters.getByRole("link", { name: first })).toHaveCount(0);
  await filters.getByRole("link", { name: second }).click();
  await expect(visitor).toHaveURL(new RegExp(`\\?category=${encodeURIComponent(second).replace(/%20/g, "(%20|\\+)")}$`));
  await expect(filters.getByRole("link", { name: second })).toHaveAttribute("aria-current", "page");
  await expect(visitor.getByRole("link", { name: title })).toBeVisible();
  await visitor.context().close();
});

test("the footer links the owner's profiles, terms and privacy policy", async ({ browser }) => {
  const owner = await ownerPage(browser);
  await saveStorefront(owner, {
    social: "https://www.youtube.com/@codex-films\nhttps://films.example.com/blog",
    terms: "Refunds within 14 days of purchase.\n\nWrite to us for anything else.",
    privacy: "We keep your email address to send your receipts.",
  });
  // An address that is not https is refused, and the saved links stay.
  await owner.getByLabel("Social links").fill("javascript:alert(1)");
  await owner.getByRole("button", { name: "Save storefront" }).click();
  await expect(owner.getByRole("alert")).toContainText("is not an https:// address");
  await owner.context().close();

  const visitor = await newClient(browser);
  await open(visitor, "/");
  const follow = visitor.getByRole("navigation", { name: "Follow" });
  await expect(follow.getByRole("link", { name: "YouTube" })).toHaveAttribute("href", "https://www.youtube.com/@codex-films");
  await expect(follow.getByRole("link", { name: "films.example.com" })).toBeVisible();
  await visitor.getByRole("navigation", { name: "Policies" }).getByRole("link", { name: "Terms of sale" }).click();
  await expect(visitor.getByRole("heading", { name: "Terms of sale" })).toBeVisible();
  await expect(visitor.getByText("Refunds within 14 days of purchase.")).toBeVisible();
  await visitor.getByRole("navigation", { name: "Policies" }).getByRole("link", { name: "Privacy policy" }).click();
  await expect(visitor.getByText("We keep your email address")).toBeVisible();
  await visitor.context().close();
});

test("the catalog, an item, the library and the account show their data before any script runs", async ({ browser, page }, testInfo) => {
  test.setTimeout(120_000);
  const title = `Scriptless film ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "3.00" }, { reuseMedia: true });
  await verifiedCustomer(browser, page, "Scriptless-buyer");
  await openItem(page, title);
  await page.getByRole("button", { name: "Buy now" }).click();
  await payOnCheckout(page, "$3.00");

  // The buyer's session, in a browser that runs no script at all.
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
    extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() },
  });
  const plain = await context.newPage();
  const visitor = await browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
  const stranger = await visitor.newPage();
  for (const [who, path, shows] of [
    [stranger, `/?q=${encodeURIComponent(title)}`, stranger.getByRole("link", { name: title })],
    // The catalog's row of new items shows it above the grid too.
    [stranger, "/", stranger.getByRole("link", { name: title }).first()],
    [plain, "/", plain.getByRole("link", { name: title }).first()],
    [plain, "/library", plain.getByRole("link", { name: title }).first()],
    [plain, "/account/purchases", plain.getByText(title).first()],
  ] as const) {
    await who.goto(path);
    await expect(shows, `${path} shows its data`).toBeVisible();
    await expect(who.getByText("Loading…"), `${path} waits for no script`).toHaveCount(0);
  }
  await stranger.getByRole("link", { name: title }).first().click();
  await expect(stranger.getByRole("heading", { name: title })).toBeVisible();
  await expect(stranger.getByText("Loading…")).toHaveCount(0);
  await context.close();
  await visitor.close();
});
