import { test, expect, open, publishItem, generatedVideo, ownerPage, openItem } from "./helpers";

/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";

test("the owner adds chapters; the item page lists them and the player seeks to one", async ({ browser }, testInfo) => {
  const title = `Chaptered film ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "3.00" }, { reuseMedia: true });

  const owner = await ownerPage(browser);
  await open(owner, "/admin/content");
  await owner.getByRole("link", { name: title, exact: true }).click();
  const section = owner.getByRole("region", { name: "Chapters" });
  await section.getByLabel("Chapters").fill("0:00 Opening\n0:02 Second half");
  await section.getByRole("button", { name: "Save chapters" }).click();
  await expect(section.getByRole("status")).toContainText("Chapters saved.");
  await section.getByLabel("Chapters").fill("0:05 Late");
  await section.getByRole("button", { name: "Save chapters" }).click();
  await expect(section.getByRole("alert")).toContainText("the first one starts at 0:00");

  await openItem(owner, title);
  const listed = owner.getByRole("list", { name: "Chapters" });
  await expect(listed).toContainText("0:00 Opening");
  await expect(listed).toContainText("0:02 Second half");

  await owner.getByRole("link", { name: "Watch" }).click();
  await expect(owner.locator("[data-player][data-ready]")).toBeAttached();
  await owner.getByRole("button", { name: "0:02 Second half" }).click();
  await expect
    .poll(() => owner.locator("#player-media").evaluate((media: HTMLMediaElement) => media.currentTime))
    .toBeGreaterThanOrEqual(2);
  await owner.context().close();
});
