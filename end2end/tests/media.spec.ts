import { writeFileSync } from "node:fs";

import { adminLink, expect, generatedVideo, ownerPage, test } from "./helpers";

test("an upload cut off by the network continues after a reload, and the video becomes ready", async ({ browser }, testInfo) => {
  const file = generatedVideo(testInfo.outputPath("sample-clip.mp4"));

  const page = await ownerPage(browser);
  await adminLink(page, "Media");
  await expect(page.getByRole("heading", { name: "Media", exact: true })).toBeVisible();

  // The network drops every part: the form says so and keeps trying.
  const parts = "**/media/uploads/*/parts/*";
  await page.route(parts, (route) => route.abort("internetdisconnected"));
  await page.getByLabel("Media file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.locator(".upload-notice")).toContainText("Connection lost. Trying again");

  // The owner gives up on this page, the network comes back, and the same file continues.
  await page.reload();
  await page.unroute(parts);
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await page.getByLabel("Media file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.locator(".upload-notice")).toContainText("Continuing the earlier upload");

  const progress = page.getByRole("progressbar", { name: "Upload progress" });
  await expect(progress).toBeVisible();
  await expect(page.getByRole("status")).toContainText("sample-clip.mp4 is uploaded");
  expect(await progress.getAttribute("value")).toBe(await progress.getAttribute("max"));

  // The list updates by itself while the job runs.
  const row = page.locator("tr.media-row", { hasText: "sample-clip.mp4" });
  await expect(row).toBeVisible();
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-status", "ready", { timeout: 90_000 });
  await expect(row).toContainText("0:04");
  await page.context().close();
});

test("a file of the wrong type is refused with a message", async ({ browser }, testInfo) => {
  const file = testInfo.outputPath("notes.txt");
  writeFileSync(file, "not media");
  const page = await ownerPage(browser);
  await page.goto("/admin/media");
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await page.getByLabel("Media file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("alert")).toContainText("Unsupported file type");
  await page.context().close();
});
