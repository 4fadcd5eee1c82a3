import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

import {
  expect, generatedVideo, newClient, open, openItem, ownerPage, payOnCheckout, publishItem, saveStorefront,
  sidewaysOverflow, test, verifiedCustomer,
} from "./helpers";

const DESKTOP = { width: 1280, height: 800 };
/** Phones down to 320 CSS px, where WCAG 1.4.10 asks for content to reflow without sideways scrolling. */
const PHONES = [{ width: 320, height: 640 }, { width: 360, height: 740 }, { width: 390, height: 844 }];
const SIZES = [DESKTOP, ...PHONES];
/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";

/** The header's account links and buttons, line by line: an item starts a new line when it
 * sits wholly below the items before it (items of a line overlap vertically, whatever their heights). */
async function accountNavLines(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const items = Array.from(document.querySelectorAll(".account-nav > *")) as HTMLElement[];
    const boxes = items
      .map((item) => ({ box: item.getBoundingClientRect(), name: item.textContent?.trim() || item.tagName }))
      .sort((a, b) => a.box.top - b.box.top);
    const lines: { bottom: number; names: string[] }[] = [];
    for (const { box, name } of boxes) {
      const line = lines[lines.length - 1];
      if (line && box.top < line.bottom - 1) {
        line.names.push(name);
        line.bottom = Math.max(line.bottom, box.bottom);
      } else {
        lines.push({ bottom: box.bottom, names: [name] });
      }
    }
    return lines.map((line) => line.names.join(", "));
  });
}

/** axe-core's serious and critical findings against WCAG 2.2 A and AA, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.help}): ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
}

/** The page as it is now: one description for search results; on the desktop and a 360 px
 * phone no serious accessibility violation (axe is the slow part, and the narrower and wider
 * phones share the phone's styles); on every phone no sideways scroll and the header's links
 * on one line. */
async function expectGoodAtEverySize(page: Page, name: string) {
  const descriptions = await page.locator('head meta[name="description"]').evaluateAll(
    (metas) => metas.map((meta) => meta.getAttribute("content") ?? ""));
  expect.soft(descriptions.length, `${name}: one meta description`).toBe(1);
  expect.soft(descriptions.join("").trim(), `${name}: the meta description is empty`).not.toBe("");
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const where = `${name} at ${size.width} px`;
    // Soft: one run reports every page's findings.
    if (size === DESKTOP || size.width === 360) {
      expect.soft(await seriousViolations(page), `${where}: accessibility violations`).toEqual([]);
    }
    expect.soft(await smallTargets(page), `${where}: controls smaller than 24 × 24 px`).toEqual([]);
    if (size !== DESKTOP) {
      const { overflow, culprits } = await sidewaysOverflow(page);
      expect.soft(overflow, `${where} scrolls sideways: ${culprits.join(", ")}`).toBeLessThanOrEqual(0);
      const lines = await accountNavLines(page);
      expect.soft(lines.length, `${where}: the header's links wrap: ${lines.join(" | ")}`).toBe(1);
    }
  }
}

/** Visible form controls and buttons smaller than 24 × 24 CSS px (WCAG 2.2's 2.5.8; links
 * inside a sentence are exempt there, and are not counted here). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = document.querySelectorAll<HTMLElement>(
      "button, input:not([type=hidden]), select, textarea, summary, a.button, a.filter, [role=button]");
    return Array.from(controls).flatMap((control) => {
      const box = control.getBoundingClientRect();
      const visible = box.width > 0 && box.height > 0 && getComputedStyle(control).visibility !== "hidden";
      // A visually hidden control (a skip link, a label-only field) is not a target on screen.
      if (!visible || box.width <= 1 || box.height <= 1) return [];
      if (box.width >= 23.5 && box.height >= 23.5) return [];
      const name = control.getAttribute("aria-label") || control.textContent?.trim() || control.id || control.tagName;
      return [`${control.tagName.toLowerCase()} "${name.slice(0, 40)}" ${Math.round(box.width)}×${Math.round(box.height)}`];
    });
  });
}

async function checkPages(page: Page, paths: string[]) {
  for (const path of paths) {
    await open(page, path);
    await expectGoodAtEverySize(page, path);
  }
}

test("every page is accessible, described, and fits desktop and phones from 320 px, for a visitor, a buyer and the owner", async ({ browser, page }, testInfo) => {
  test.setTimeout(420_000);
  const title = `Phone-sized film ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "4.00" }, { reuseMedia: true });

  // The footer's links and the legal pages, so they are checked too.
  const setup = await ownerPage(browser);
  await saveStorefront(setup, {
    social: "https://www.youtube.com/@codex-films",
    terms: "Refunds within 14 days of purchase.",
    privacy: "We keep your email address to send your receipts.",
  });
  await setup.context().close();

  const visitor = await newClient(browser);
  await checkPages(visitor, [
    "/", "/pricing", "/login", "/register", "/forgot-password", "/reset-password?token=unknown", "/terms", "/privacy",
  ]);
  await openItem(visitor, title);
  await expectGoodAtEverySize(visitor, "the item page");
  await visitor.context().close();

  // A sale, so the buyer's and the owner's pages have rows (a long email is the widest cell they get).
  const email = await verifiedCustomer(browser, page, "Phone-buyer-with-a-long-address");
  await openItem(page, title);
  await page.getByRole("button", { name: "Buy now" }).click();
  await payOnCheckout(page, "$4.00");
  await expectGoodAtEverySize(page, "the checkout success page");
  await page.getByRole("link", { name: "Watch" }).click();
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  await expectGoodAtEverySize(page, "the watch page");
  await checkPages(page, ["/library", "/account", "/account/purchases", "/email/preferences"]);

  const owner = await ownerPage(browser);
  await checkPages(owner, [
    "/admin",
    "/admin/content",
    "/admin/content/new",
    "/admin/media",
    `/admin/purchases?q=${encodeURIComponent(email)}`,
    "/admin/customers",
    "/admin/discounts",
    "/admin/memberships",
    "/admin/settings",
    "/admin/emails",
    "/admin/emails/broadcasts",
    "/admin/security",
    "/admin/jobs",
    "/admin/analytics",
  ]);
  await open(owner, "/admin/content");
  await owner.getByRole("link", { name: title, exact: true }).click();
  await expect(owner.getByRole("heading", { name: "Edit content" })).toBeVisible();
  await expectGoodAtEverySize(owner, "the content editor");
  await owner.getByRole("region", { name: "Last 30 days" }).getByRole("link", { name: "Analytics" }).click();
  await expect(owner.getByRole("heading", { name: `Analytics: ${title}` })).toBeVisible();
  await expectGoodAtEverySize(owner, "an item's analytics");
  await open(owner, `/admin/customers?q=${encodeURIComponent(email)}`);
  await owner.getByRole("link", { name: email }).click();
  await expect(owner.getByRole("heading", { name: "Purchases" })).toBeVisible();
  await expectGoodAtEverySize(owner, "the customer page");
  await owner.context().close();
});
