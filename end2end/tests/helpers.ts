import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";

export const OWNER = { name: "Olivia Owner", email: "owner@codex.test", password: "OwnerPass1" };
export const PASSWORD = "Customer1pass";

let counter = 0;
/** A unique email for a customer of this test. */
export function uniqueEmail(prefix = "customer"): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${process.pid}-${counter}@codex.test`;
}

/** A made-up client address, so per-IP rate limits do not couple tests (the instance trusts
 * loopback as its proxy). */
export function randomClientIp(): string {
  const n = () => 1 + Math.floor(Math.random() * 250);
  return `10.${n()}.${n()}.${n()}`;
}

/** Uncaught errors in any page of the running test (a hydration panic shows up here). */
const pageErrors: string[] = [];

async function clientContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
  context.on("weberror", (error) => pageErrors.push(`${error.page()?.url()}: ${error.error().message}`));
  return context;
}

/** Every test fails on any uncaught error in its pages, and gets browser contexts that look
 * like a distinct client. */
export const test = base.extend<{ noPageErrors: void }>({
  noPageErrors: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      pageErrors.length = 0;
      await use();
      expect(pageErrors, "uncaught errors in the pages").toEqual([]);
    },
    { auto: true },
  ],
  context: async ({ browser }, use) => {
    const context = await clientContext(browser);
    await use(context);
    await context.close();
  },
});
export { expect };

export async function newClient(browser: Browser): Promise<Page> {
  return (await clientContext(browser)).newPage();
}

/** Follows a link of the admin menu; on a phone the menu is folded, so it opens it first. */
export async function adminLink(page: Page, name: string) {
  const menu = page.getByText("Admin menu");
  if (await menu.isVisible()) await menu.click();
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name, exact: true }).click();
}

/** Opens a page and waits until the app has hydrated, so clicks go through the client. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
}

/** Reloads `page` at `path` until `check` passes: webhooks arrive in the background. */
export async function eventually(page: Page, path: string, check: () => Promise<void>) {
  await expect(async () => {
    await open(page, path);
    await check();
  }).toPass({ timeout: 30_000 });
}

export async function register(page: Page, name: string, email: string, password = PASSWORD) {
  await open(page, "/register");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/library$/);
}

export async function logIn(page: Page, email: string, password: string, remember = false) {
  await open(page, "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (remember) await page.getByLabel("Remember me").check();
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Creates the owner through first-run setup if nobody has yet; either way returns a page
 * signed in as the owner. */
export async function ownerPage(browser: Browser): Promise<Page> {
  const page = await newClient(browser);
  await page.goto("/setup");
  if (new URL(page.url()).pathname === "/setup") {
    await expect(page.locator("body[data-hydrated]")).toBeAttached();
    await page.getByLabel("Name").fill(OWNER.name);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password", { exact: true }).fill(OWNER.password);
    await page.getByLabel("Confirm password").fill(OWNER.password);
    await page.getByRole("button", { name: "Create account" }).click();
  } else {
    await logIn(page, OWNER.email, OWNER.password);
  }
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  return page;
}

/** Reads the newest link to `pathPrefix` emailed to `to`, from the owner's outbox page. */
/** The path of the newest link starting with `pathPrefix` mailed to `to`, read from the mail
 * folder the instance delivers into (MAIL_DIR, set by scripts/e2e.sh), as a person reads
 * their mail: the outbox the owner sees never holds one-time links. Waits for the delivery
 * worker (it polls every 5 s). */
export async function linkFromMail(to: string, pathPrefix: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("node:fs") as typeof import("node:fs");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require("node:path") as typeof import("node:path");
  const folder = process.env.MAIL_DIR;
  if (!folder) throw new Error("MAIL_DIR is not set: run the specs through scripts/e2e.sh");
  const pattern = new RegExp(`https?://[^\\s]+${pathPrefix.replace(/[/?]/g, "\\$&")}[^\\s]*`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith(".eml")).sort().reverse() : [];
    for (const file of files) {
      const mail = fs.readFileSync(path.join(folder, file), "utf8");
      const [head, ...body] = mail.split("\n\n");
      if (!head.split("\n").includes(`To: ${to}`)) continue;
      const match = body.join("\n\n").match(pattern);
      if (match) return new URL(match[0]).pathname + new URL(match[0]).search;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no ${pathPrefix} link mailed to ${to} within 30 s`);
}

/** Makes a short test video with ffmpeg (no download) and returns its path. */
export function generatedVideo(path: string, seconds = 4): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
  execFileSync("ffmpeg", [
    "-y", "-v", "error",
    "-f", "lavfi", "-i", `testsrc=size=640x360:rate=25:duration=${seconds}`,
    "-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`,
    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", path,
  ]);
  return path;
}

/** Uploads a file on /admin/media as the owner and waits until it is processed. The file is
 * chosen and Upload clicked as soon as the page's HTML arrives, as an impatient owner does:
 * the button waits for the page's script, so the click is not lost. */
export async function uploadMedia(owner: Page, file: string): Promise<void> {
  await owner.goto("/admin/media", { waitUntil: "commit" });
  await owner.getByLabel("Media file").setInputFiles(file);
  await owner.getByRole("button", { name: "Upload" }).click();
  const name = file.split("/").pop() ?? file;
  await expect(owner.getByRole("status")).toContainText(`${name} is uploaded`);
  await expect(owner.locator("tr.media-row", { hasText: name }).first()).toHaveAttribute("data-status", "ready", {
    timeout: 90_000,
  });
}

/**
 * As the owner: uploads `file`, then publishes an item on it. With `reuseMedia`, a ready
 * media item of the same file name is used if there is one: one media item can back
 * several items, and every upload counts against the owner's 10 an hour.
 */
export async function publishItem(
  browser: Browser,
  file: string,
  item: { title: string; price: string; tags?: string; category?: string; description?: string },
  { reuseMedia = false } = {},
): Promise<void> {
  const owner = await ownerPage(browser);
  const name = file.split("/").pop() ?? file;
  let ready = 0;
  if (reuseMedia) {
    await open(owner, "/admin/media");
    await owner.locator("tr.media-row").or(owner.getByText("No media yet")).first().waitFor();
    ready = await owner.locator('tr.media-row[data-status="ready"]', { hasText: name }).count();
  }
  if (ready === 0) await uploadMedia(owner, file);
  await open(owner, "/admin/content/new");
  await owner.getByLabel("Title").fill(item.title);
  await owner.getByLabel("Price").fill(item.price);
  if (item.tags) await owner.getByLabel("Tags").fill(item.tags);
  if (item.description) await owner.getByLabel("Description").fill(item.description);
  if (item.category) {
    await expect(owner.getByLabel("Category").locator(`option[value="${item.category}"]`)).toBeAttached();
    await owner.getByLabel("Category").selectOption(item.category);
  }
  await owner.getByLabel("Media").selectOption({ label: `${file.split("/").pop()} (ready)` });
  await owner.getByRole("button", { name: "Publish" }).click();
  await expect(owner).toHaveURL(/\/admin\/content\/[0-9a-f-]{36}$/);
  await owner.context().close();
}

/** As the owner: opens the editor of the item titled `title`. */
export async function openEditor(owner: Page, title: string) {
  await open(owner, "/admin/content");
  await owner.getByRole("link", { name: title, exact: true }).click();
  await expect(owner.getByRole("heading", { name: "Edit content" })).toBeVisible();
}

/** As the owner: the item titled `title` also rents, at `price`. */
export async function setRentalPrice(owner: Page, title: string, price: string) {
  await openEditor(owner, title);
  const options = owner.getByRole("region", { name: "Selling options" });
  await options.getByLabel("Rental price").fill(price);
  await options.getByRole("button", { name: "Save selling options" }).click();
  await expect(options.getByRole("status")).toContainText("Selling options saved.");
}

/** As the owner: creates the discount code `code` (`amount`: `20%` or `5.00`) for the items
 * titled in `items` (every item when none), with an optional usage limit. */
export async function createDiscountCode(
  owner: Page,
  code: string,
  amount: string,
  { items = [] as string[], limit = "" } = {},
) {
  await open(owner, "/admin/discounts");
  await owner.getByLabel("Code", { exact: true }).fill(code);
  await owner.getByLabel("Amount off").fill(amount);
  if (limit) await owner.getByLabel("Usage limit").fill(limit);
  for (const title of items) await owner.getByLabel(title).check();
  await owner.getByRole("button", { name: "Create code" }).click();
  await expect(owner.getByRole("status")).toContainText("Discount code created.");
}

/** As the owner: adds the category `name` in the settings unless it exists. */
export async function ensureCategory(owner: Page, name: string) {
  await open(owner, "/admin/settings");
  const categories = owner.getByRole("list", { name: "Categories" });
  await categories.or(owner.getByText("No categories yet")).first().waitFor();
  if (await owner.getByLabel(`Name of ${name}`, { exact: true }).count()) return;
  await owner.getByLabel("New category").fill(name);
  await owner.getByRole("button", { name: "Add category" }).click();
  await expect(owner.getByLabel(`Name of ${name}`, { exact: true })).toBeVisible();
}

/** As the owner: saves the storefront card of the settings (social links one per line;
 * `featured` is an item's title). */
export async function saveStorefront(
  owner: Page,
  fields: { introduction?: string; featured?: string; social?: string; terms?: string; privacy?: string },
) {
  await open(owner, "/admin/settings");
  if (fields.introduction !== undefined) await owner.getByLabel("Introduction").fill(fields.introduction);
  if (fields.featured !== undefined) await owner.getByLabel("Featured item").selectOption({ label: fields.featured });
  if (fields.social !== undefined) await owner.getByLabel("Social links").fill(fields.social);
  if (fields.terms !== undefined) await owner.getByLabel("Terms of sale").fill(fields.terms);
  if (fields.privacy !== undefined) await owner.getByLabel("Privacy policy").fill(fields.privacy);
  await owner.getByRole("button", { name: "Save storefront" }).click();
  await expect(owner.getByRole("status")).toContainText("Storefront saved");
}

/** A signed-in customer with a verified email address. */
export async function verifiedCustomer(browser: Browser, page: Page, name: string): Promise<string> {
  const email = uniqueEmail(name.toLowerCase());
  await register(page, name, email);
  await open(page, await linkFromMail(email, "/verify-email?token="));
  await expect(page.getByText("Your email address is verified")).toBeVisible();
  return email;
}

/** Stripe's test card that pays. */
export const PAYING_CARD = "4242 4242 4242 4242";

/** Pays on the stand-in's checkout page, which shows the amount charged. */
export async function payOnCheckout(page: Page, amount: string) {
  await expect(page).toHaveURL(/\/pay\/cs_test_/);
  await page.getByLabel("Card number").fill(PAYING_CARD);
  await page.getByRole("button", { name: `Pay ${amount}` }).click();
  await expect(page.getByRole("heading", { name: "Payment received" })).toBeVisible();
}

/** Finds an item in the catalog by title and opens its page. */
export async function openItem(page: Page, title: string) {
  await open(page, `/?q=${encodeURIComponent(title)}`);
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
}

/** How far the page is wider than the window (0 when nothing scrolls sideways), with the
 * outermost elements that stick out of the page (not those inside a box that scrolls), to tell where. */
export async function sidewaysOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const insideScroller = (element: Element) => {
      for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return true;
      }
      return false;
    };
    const culprits: string[] = [];
    for (const element of Array.from(document.body.querySelectorAll("*"))) {
      if (insideScroller(element)) continue;
      const box = element.getBoundingClientRect();
      const parent = element.parentElement?.getBoundingClientRect();
      if (box.right > width + 0.5 && parent && parent.right <= width + 0.5) {
        culprits.push(`${element.tagName.toLowerCase()}.${element.className} (${Math.round(box.width)} px)`);
      }
    }
    return { overflow: document.documentElement.scrollWidth - width, culprits: culprits.slice(0, 5) };
  });
}
