import type { Browser, Page } from "@playwright/test";

import {
  createDiscountCode, expect, generatedVideo, newClient, open, openItem, ownerPage, publishItem, randomClientIp,
  setRentalPrice, test,
} from "./helpers";

/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";
const SIZES = [{ width: 320, height: 640 }, { width: 390, height: 844 }, { width: 1280, height: 800 }];

/** As the owner: the item gets a rental price and a 20 % code. */
async function addRentalAndCode(browser: Browser, title: string, code: string) {
  const owner = await ownerPage(browser);
  await setRentalPrice(owner, title, "2.99");
  await createDiscountCode(owner, code, "20%", { items: [title] });
  await owner.context().close();
}

/** The buy box's controls: none overlaps another, and none wraps its label onto a second line. */
async function buyBoxLayout(page: Page): Promise<string[]> {
  return page.locator("#buy").evaluate((box) => {
    const problems: string[] = [];
    const controls = Array.from(box.querySelectorAll<HTMLElement>("a.button, button, input:not([type=hidden]), summary"))
      .filter((c) => c.getBoundingClientRect().height > 0);
    const rects = controls.map((c) => ({ name: c.textContent?.trim() || c.id, r: c.getBoundingClientRect() }));
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i].r;
        const b = rects[j].r;
        const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
        if (overlap) problems.push(`"${rects[i].name}" overlaps "${rects[j].name}"`);
      }
    }
    for (const control of controls) {
      const text = Array.from(control.childNodes).find((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim());
      if (!text) continue;
      const range = document.createRange();
      range.selectNodeContents(text);
      const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
      if (lines.size > 1) problems.push(`"${control.textContent?.trim()}" wraps onto ${lines.size} lines`);
    }
    return problems;
  });
}

test("the item page's buy box: laid out at every width, a code applied, Markdown made safe", async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const stamp = Date.now();
  const title = `Shop window film ${stamp}`;
  const code = `BOX${stamp % 1_000_000}`;
  const description = "## What you learn\n\nHow to **light** a scene.\n\n- one lamp\n- two lamps\n\n<script>alert('boom')</script>";
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "10.00", description }, { reuseMedia: true });
  await addRentalAndCode(browser, title, code);

  const visitor = await newClient(browser);
  let alerts = 0;
  visitor.on("dialog", async (dialog) => { alerts += 1; await dialog.dismiss(); });
  await openItem(visitor, title);
  const box = visitor.getByRole("region", { name: "Buy" });
  await expect(box.locator(".buy-price")).toHaveText("$10.00");
  await expect(box.getByRole("link", { name: "Buy now" })).toBeVisible();
  await expect(box.locator(".offer-row", { hasText: "Rent for $2.99" })).toContainText("30 days");
  await expect(box.getByRole("list", { name: "What you get" })).toContainText("of video");

  // The description: Markdown rendered, the script shown as text and never run.
  const body = visitor.locator(".description");
  await expect(body.getByRole("heading", { name: "What you learn" })).toBeVisible();
  await expect(body.locator("strong")).toHaveText("light");
  await expect(body.getByRole("listitem")).toHaveCount(2);
  await expect(body).toContainText("<script>alert('boom')</script>");
  expect(alerts).toBe(0);

  for (const size of SIZES) {
    await visitor.setViewportSize(size);
    expect(await buyBoxLayout(visitor), `at ${size.width} px`).toEqual([]);
    if (size.width < 600) {
      const primary = await box.getByRole("link", { name: "Buy now" }).boundingBox();
      expect(primary, "the primary action is on screen").not.toBeNull();
      expect(primary!.y + primary!.height, `at ${size.width} px the primary action is visible without scrolling`)
        .toBeLessThanOrEqual(size.height);
    }
  }

  // On a phone, once the buy box scrolls away, a bar brings it back.
  await visitor.setViewportSize({ width: 390, height: 844 });
  const bar = visitor.getByRole("link", { name: "Buying options" });
  await expect(bar).toBeHidden();
  await visitor.locator(".item-body").evaluate((body) => {
    body.style.minHeight = "3000px";
    window.scrollTo(0, document.querySelector("#buy")!.getBoundingClientRect().bottom + window.scrollY + 200);
  });
  await expect(bar).toBeVisible();
  await bar.click();
  await expect(box.getByRole("link", { name: "Buy now" })).toBeInViewport();
  await expect(bar).toBeHidden();
  await visitor.setViewportSize({ width: 1280, height: 800 });
  await expect(bar).toBeHidden();

  // "Have a code?" opens the field; the code shows the old and the new price.
  await visitor.getByText("Have a code?").click();
  await visitor.getByLabel("Discount code").fill(code.toLowerCase());
  await visitor.getByRole("button", { name: "Apply" }).click();
  await expect(visitor.getByRole("status")).toContainText(`Code ${code} applied: 20% off.`);
  await expect(box.locator(".buy-price s")).toHaveText("$10.00");
  await expect(box.locator(".buy-price")).toContainText("$8.00");
  await expect(box.locator(".offer-row", { hasText: "Rent for" })).toContainText("$2.39");
  for (const size of SIZES) {
    await visitor.setViewportSize(size);
    expect(await buyBoxLayout(visitor), `with the code at ${size.width} px`).toEqual([]);
  }
  await visitor.context().close();

  // Without JavaScript the same: the code's details open and the form is a plain GET.
  const context = await browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
  const plain = await context.newPage();
  await plain.goto(`/?q=${encodeURIComponent(title)}`);
  await plain.getByRole("link", { name: title }).click();
  await plain.getByText("Have a code?").click();
  await plain.getByLabel("Discount code").fill(code);
  await plain.getByRole("button", { name: "Apply" }).click();
  await expect(plain.getByRole("status")).toContainText(`Code ${code} applied`);
  await expect(plain.locator(".buy-price")).toContainText("$8.00");
  await context.close();
});
