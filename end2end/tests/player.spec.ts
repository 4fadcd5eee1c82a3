import type { Page } from "@playwright/test";

import { test, expect, open, publishItem, generatedVideo, ownerPage, openItem } from "./helpers";

/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";
const SEGMENT = /\/hls\/.*\.ts\?/;

async function watch(page: Page, title: string) {
  await openItem(page, title);
  await page.getByRole("link", { name: "Watch" }).click();
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  return page.locator("[data-player]");
}

const currentTime = (page: Page) =>
  page.locator("#player-media").evaluate((media: HTMLMediaElement) => media.currentTime);

test("a player left open past its token's life renews it and keeps playing; the speed is remembered", async ({ browser }, testInfo) => {
  const title = `Long evening ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "3.00" }, { reuseMedia: true });
  const owner = await ownerPage(browser);

  // Segments are held until the page's first token has expired, as in a tab that slept.
  let release = () => {};
  const released = new Promise<void>((resolve) => { release = resolve; });
  const segmentStatuses: number[] = [];
  owner.on("response", (response) => { if (SEGMENT.test(response.url())) segmentStatuses.push(response.status()); });
  await owner.route(SEGMENT, async (route) => {
    await released;
    await route.continue().catch(() => {});
  });

  const player = await watch(owner, title);
  const firstUrl = (await player.getAttribute("data-current-src"))!;
  const expires = Number(new URL(firstUrl, owner.url()).searchParams.get("t")!.split(".")[1]);
  const lifetime = Number(await player.getAttribute("data-token-lifetime"));
  expect(lifetime).toBeLessThanOrEqual(30);

  await expect.poll(() => player.getAttribute("data-current-src"), { timeout: lifetime * 1000 }).not.toBe(firstUrl);
  await expect.poll(() => Date.now() / 1000, { timeout: (lifetime + 5) * 1000 }).toBeGreaterThan(expires + 1);
  expect((await owner.request.get(firstUrl)).status()).toBe(403);
  release();

  await owner.keyboard.press("k");
  await expect.poll(() => currentTime(owner), { timeout: 30_000 }).toBeGreaterThan(1);
  expect(segmentStatuses).toContain(403);
  await expect(player.locator(".player-message")).toBeEmpty();

  // The chosen speed stays for the next visit.
  await owner.getByLabel("Speed").selectOption("1.5");
  await owner.reload();
  await expect(owner.locator("[data-player][data-ready]")).toBeAttached();
  await expect(owner.getByLabel("Speed")).toHaveValue("1.5");

  // The bar under the video previews the frame under the pointer, from the signed sheet.
  const scrub = owner.locator("[data-storyboard]");
  await expect(scrub).toBeVisible();
  const sheet = owner.waitForResponse(/storyboard_001\.jpg\?t=/);
  const box = (await scrub.boundingBox())!;
  await scrub.hover({ position: { x: box.width * 0.75, y: box.height / 2 } });
  await expect(scrub.locator(".scrub-preview")).toBeVisible();
  await expect(scrub.locator(".scrub-time")).toHaveText(/^0:0\d$/);
  expect((await sheet).status()).toBe(200);
  await expect
    .poll(() => owner.locator("#player-media").evaluate((media: HTMLMediaElement) => media.playbackRate))
    .toBe(1.5);
  await owner.context().close();
});

test("a segment refused even after a renewal stops playback with a message instead of retrying", async ({ browser }, testInfo) => {
  const title = `Locked room ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "3.00" }, { reuseMedia: true });
  const owner = await ownerPage(browser);
  let refused = 0;
  await owner.route(SEGMENT, (route) => {
    refused += 1;
    return route.fulfill({ status: 403, body: "Forbidden" });
  });

  const player = await watch(owner, title);
  await expect(player.getByRole("alert")).toContainText("Playback stopped");
  const afterMessage = refused;
  expect(afterMessage).toBeGreaterThanOrEqual(2);
  expect(afterMessage).toBeLessThanOrEqual(4);
  await owner.waitForTimeout(3000);
  expect(refused).toBe(afterMessage);

  // The shortcuts are listed, and ? shows them.
  await owner.keyboard.press("?");
  await expect(owner.getByText("Keyboard shortcuts")).toBeVisible();
  await expect(player.locator("[data-keys] dd", { hasText: "Picture in picture" })).toBeVisible();
  await owner.context().close();
});

test("the owner uploads captions; the player shows them and remembers the choice", async ({ browser }, testInfo) => {
  const title = `Captioned film ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "3.00" }, { reuseMedia: true });
  const owner = await ownerPage(browser);
  await open(owner, "/admin/content");
  await owner.getByRole("link", { name: title, exact: true }).click();

  const section = owner.getByRole("region", { name: "Captions" });
  await section.getByLabel("Language code").fill("en");
  await section.getByLabel("Name in the captions menu").fill("English");
  await section.getByLabel("Captions file").setInputFiles({
    name: "film.srt",
    mimeType: "application/x-subrip",
    buffer: Buffer.from("1\r\n00:00:00,000 --> 00:00:04,000\r\nHello from the captions\r\n"),
  });
  await section.getByRole("button", { name: "Upload captions" }).click();
  await expect(section.getByRole("status")).toContainText("Captions saved.");
  await expect(section.getByRole("list", { name: "Captions" })).toContainText("English (en)");

  // Chosen in the player, the track loads through its signed URL and holds the cue.
  await watch(owner, title);
  const captions = owner.getByLabel("Captions", { exact: true });
  await captions.selectOption({ label: "English" });
  const shownCue = () =>
    owner.locator("#player-media").evaluate((media: HTMLVideoElement) => {
      const track = media.textTracks[0];
      return track.mode === "showing" && track.cues?.length ? (track.cues[0] as VTTCue).text : "";
    });
  await expect.poll(shownCue, { timeout: 15_000 }).toBe("Hello from the captions");

  // The choice stays for the next visit.
  await owner.reload();
  await expect(owner.locator("[data-player][data-ready]")).toBeAttached();
  await expect(captions).toHaveValue("en");
  await expect.poll(shownCue, { timeout: 15_000 }).toBe("Hello from the captions");
  await owner.context().close();
});
