import type { Page } from "@playwright/test";

import { test, expect, open, publishItem, generatedVideo, ownerPage, openItem, verifiedCustomer, newClient, logIn, PASSWORD } from "./helpers";

/** As the owner: "Streams at once" in the settings ('' for no limit). */
async function setStreamLimit(owner: Page, streams: string) {
  await open(owner, "/admin/settings");
  const field = owner.getByLabel("Streams at once");
  await field.fill(streams);
  await owner.getByRole("button", { name: "Save playback settings" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "Playback settings saved." })).toBeVisible();
}

test("a customer past the stream limit sees where they are watching, stops one there, watches here and signs the other device out", async ({ browser, page }, testInfo) => {
  // Two devices, a media upload on a fresh instance and a player waiting for its renewal.
  test.setTimeout(120_000);
  const title = `Shared password ${Date.now()}`;
  // The selling specs' 4 s clip, shared: uploads are limited to 10 an hour.
  await publishItem(browser, generatedVideo(testInfo.outputPath("selling.mp4")), { title, price: "0" }, { reuseMedia: true });
  const owner = await ownerPage(browser);
  await setStreamLimit(owner, "1");
  try {
    // The first device plays.
    const email = await verifiedCustomer(browser, page, "Sharer");
    await openItem(page, title);
    await page.getByRole("button", { name: "Get access" }).click();
    await page.getByRole("link", { name: "Watch", exact: true }).click();
    await expect(page.locator("[data-player][data-ready]")).toBeAttached();
    const watchPath = new URL(page.url()).pathname;

    // A second device with the same account gets the list instead of a player.
    const other = await newClient(browser);
    await logIn(other, email, PASSWORD);
    await expect(other).toHaveURL(/\/library$/);
    await open(other, watchPath);
    await expect(other.getByRole("heading", { name: "You are watching on too many devices" })).toBeVisible();
    await expect(other.getByText("Your account can play on one device at once.")).toBeVisible();
    await expect(other.locator("[data-player]")).toHaveCount(0);
    const streams = other.getByRole("listitem").filter({ has: other.getByRole("button", { name: "Stop watching there" }) });
    await expect(streams).toHaveCount(1);
    await expect(streams).toContainText(title);
    await expect(streams).toContainText(/Chrome/);

    // Stopping it there opens the player here.
    await streams.getByRole("button", { name: "Stop watching there" }).click();
    await expect(other.locator("[data-player][data-ready]")).toBeAttached();

    // The first player's next token renewal ends it, and it says why.
    const message = page.locator(".player-message");
    await expect(message).toContainText("Stop watching there", { timeout: 20_000 });
    await expect(page.locator("[data-player][data-stopped]")).toBeAttached();

    // The account page lists where the account is watching now: this device.
    await open(other, "/account");
    const mine = other.getByRole("listitem").filter({ has: other.getByRole("button", { name: "Stop watching there" }) });
    await expect(mine).toHaveCount(1);
    await expect(mine).toContainText("(this device)");

    // It lists where the account is signed in too, and signs the first device out.
    const devices = other.locator("section", { has: other.getByRole("heading", { name: "Signed-in devices" }) });
    await expect(devices.getByText("(this device)")).toBeVisible();
    await devices.getByRole("button", { name: "Sign out there" }).click();
    await expect(devices.getByRole("button", { name: "Sign out there" })).toHaveCount(0);
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login/);
  } finally {
    await setStreamLimit(owner, "");
  }
});
