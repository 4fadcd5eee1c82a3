import type { Page } from "@playwright/test";

import { expect, generatedVideo, newClient, open, ownerPage, publishItem, test } from "./helpers";

const PHONE = { width: 360, height: 740 };

/** How far the page is wider than the window (0 when nothing scrolls sideways), with the
 * outermost elements that stick out, to tell where. */
async function sidewaysOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits: string[] = [];
    for (const element of Array.from(document.body.querySelectorAll("*"))) {
      const box = element.getBoundingClientRect();
      const parent = element.parentElement?.getBoundingClientRect();
      if (box.right > width + 0.5 && parent && parent.right <= width + 0.5) {
        culprits.push(`${element.tagName.toLowerCase()}.${element.className} (${Math.round(box.width)} px)`);
      }
    }
    return { overflow: document.documentElement.scrollWidth - width, culprits: culprits.slice(0, 5) };
  });
}

/** The tops of the header's account links and buttons: one value when they sit on one line. */
async function accountNavLines(page: Page): Promise<number> {
  return page.evaluate(() => {
    const items = Array.from(document.querySelectorAll(".account-nav > *")) as HTMLElement[];
    return new Set(items.map((item) => Math.round(item.getBoundingClientRect().top + item.offsetHeight / 2))).size;
  });
}

async function expectFitsThePhone(page: Page, path: string) {
  await open(page, path);
  const { overflow, culprits } = await sidewaysOverflow(page);
  expect(overflow, `${path} scrolls sideways at ${PHONE.width} px: ${culprits.join(", ")}`).toBeLessThanOrEqual(0);
  expect(await accountNavLines(page), `${path}: the header's links wrap`).toBe(1);
}

test("no page scrolls sideways on a 360 px phone, for a visitor and for the owner", async ({ browser }, testInfo) => {
  const title = "Phone-sized film";
  await publishItem(browser, generatedVideo(testInfo.outputPath("phone-clip.mp4")), { title, price: "4.00" }, { reuseMedia: true });

  const visitor = await newClient(browser);
  await visitor.setViewportSize(PHONE);
  for (const path of ["/", "/pricing", "/login", "/register", "/forgot-password"]) {
    await expectFitsThePhone(visitor, path);
  }
  await open(visitor, `/?q=${encodeURIComponent(title)}`);
  await visitor.getByRole("link", { name: title }).click();
  await expect(visitor.getByRole("heading", { name: title })).toBeVisible();
  const item = await sidewaysOverflow(visitor);
  expect(item.overflow, `the item page scrolls sideways: ${item.culprits.join(", ")}`).toBeLessThanOrEqual(0);
  await visitor.context().close();

  const owner = await ownerPage(browser);
  await owner.setViewportSize(PHONE);
  for (const path of [
    "/admin",
    "/admin/content",
    "/admin/content/new",
    "/admin/media",
    "/admin/purchases",
    "/admin/customers",
    "/admin/discounts",
    "/admin/memberships",
    "/admin/settings",
    "/admin/emails",
    "/admin/security",
    "/library",
    "/account",
  ]) {
    await expectFitsThePhone(owner, path);
  }
  await owner.context().close();
});
