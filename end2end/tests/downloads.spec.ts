import { readFileSync } from "node:fs";

import { test, expect, open, publishItem, generatedVideo, ownerPage, openItem, verifiedCustomer } from "./helpers";

/** Shares the selling specs' media item (uploads are limited to 10 an hour). */
const MEDIA = "selling.mp4";
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(20_000, "x")]);

test("the owner attaches a PDF; a customer with access downloads it from the item page", async ({ browser, page }, testInfo) => {
  const title = `Workbook course ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath(MEDIA)), { title, price: "0.00" }, { reuseMedia: true });
  const owner = await ownerPage(browser);
  await open(owner, "/admin/content");
  await owner.getByRole("link", { name: title, exact: true }).click();

  const section = owner.getByRole("region", { name: "Files for buyers" });
  await section.getByLabel("File", { exact: true }).setInputFiles({ name: "notes.txt", mimeType: "application/pdf", buffer: Buffer.from("plain words") });
  await section.getByRole("button", { name: "Upload file" }).click();
  await expect(section.getByRole("alert")).toContainText("Upload a PDF or ZIP file.");
  await section.getByLabel("File", { exact: true }).setInputFiles({ name: "workbook.pdf", mimeType: "application/pdf", buffer: PDF });
  await section.getByRole("button", { name: "Upload file" }).click();
  await expect(section.getByRole("status")).toContainText("File saved.");
  await expect(section.getByRole("list", { name: "Files for buyers" })).toContainText("workbook.pdf (20 KB)");
  await owner.context().close();

  // Before getting the item, the page lists no files.
  await verifiedCustomer(browser, page, "Reader");
  await openItem(page, title);
  await expect(page.getByRole("list", { name: "Downloads" })).toHaveCount(0);
  await page.getByRole("button", { name: "Get access" }).click();
  await expect(page.getByRole("link", { name: "Watch" })).toBeVisible();

  await open(page, page.url());
  const link = page.getByRole("list", { name: "Downloads" }).getByRole("link", { name: "workbook.pdf" });
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toBe("workbook.pdf");
  expect(readFileSync(await download.path()).equals(PDF)).toBe(true);
});
