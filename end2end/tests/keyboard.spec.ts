import type { Locator, Page } from "@playwright/test";

import {
  expect, generatedVideo, open, openItem, ownerPage, PAYING_CARD, publishItem, test, verifiedCustomer,
} from "./helpers";

/** Presses Tab until `target` has the focus, as a keyboard user moves through the page. On
 * Codex's own pages (`checkFocus`), every stop on the way must show where the focus is. */
async function tabTo(page: Page, target: Locator, { checkFocus = true, limit = 80 } = {}) {
  await target.waitFor();
  for (let press = 0; press < limit; press += 1) {
    await page.keyboard.press("Tab");
    if (checkFocus) {
      const unseen = await page.evaluate(() => {
        const focused = document.activeElement as HTMLElement | null;
        if (!focused || focused === document.body) return null;
        const style = getComputedStyle(focused);
        const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
        return outlined || style.boxShadow !== "none" ? null : focused.outerHTML.slice(0, 120);
      });
      expect(unseen, "the focused element shows no focus ring").toBeNull();
    }
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target} not reached in ${limit} presses of Tab`);
}

test("the owner uploads with the keyboard only", async ({ browser }, testInfo) => {
  const file = generatedVideo(testInfo.outputPath("keyboard-clip.mp4"));
  const owner = await ownerPage(browser);
  await open(owner, "/admin/media");
  await tabTo(owner, owner.getByLabel("Media file"));
  const chooser = owner.waitForEvent("filechooser");
  await owner.keyboard.press("Space");
  await (await chooser).setFiles(file);
  await tabTo(owner, owner.getByRole("button", { name: "Upload" }));
  await owner.keyboard.press("Enter");
  await expect(owner.getByRole("status")).toContainText("keyboard-clip.mp4 is uploaded");
  await expect(owner.locator("tr.media-row", { hasText: "keyboard-clip.mp4" })).toHaveAttribute("data-status", "ready", {
    timeout: 90_000,
  });
  await owner.context().close();
});

test("a customer buys and watches with the keyboard only", async ({ browser, page }, testInfo) => {
  const title = `Keyboard film ${Date.now()}`;
  // The media the upload test made, when it ran first (uploads are limited to 10 an hour).
  await publishItem(browser, generatedVideo(testInfo.outputPath("keyboard-clip.mp4")), { title, price: "3.50" }, { reuseMedia: true });
  await verifiedCustomer(browser, page, "Keyboard");
  await openItem(page, title);

  await tabTo(page, page.getByRole("button", { name: "Buy now" }));
  await page.keyboard.press("Enter");
  // The stand-in's checkout page stands for Stripe's: its focus styles are not Codex's.
  await expect(page).toHaveURL(/\/pay\/cs_test_/);
  await tabTo(page, page.getByLabel("Card number"), { checkFocus: false });
  await page.keyboard.type(PAYING_CARD);
  await tabTo(page, page.getByRole("button", { name: "Pay $3.50" }), { checkFocus: false });
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Payment received" })).toBeVisible();

  await tabTo(page, page.getByRole("link", { name: "Watch" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/watch\//);
  const player = page.locator("[data-player][data-ready]");
  await expect(player).toBeAttached();
  const media = page.locator("#player-media");
  // Space plays (the player's shortcut, anywhere but in a control), → skips ahead.
  await page.keyboard.press("Space");
  await expect.poll(() => media.evaluate((element: HTMLMediaElement) => !element.paused)).toBe(true);
  await page.keyboard.press("Space");
  await expect.poll(() => media.evaluate((element: HTMLMediaElement) => element.paused)).toBe(true);
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => media.evaluate((element: HTMLMediaElement) => element.currentTime)).toBeGreaterThan(1);
});
