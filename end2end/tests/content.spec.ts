import {
  adminLink, ensureCategory, expect, generatedVideo, linkFromMail, open, ownerPage, publishItem, register, test, uniqueEmail,
  uploadMedia,
} from "./helpers";

test("the owner publishes a free item; a customer finds it by search and gets access", async ({ browser, page }, testInfo) => {
  const title = `Free sample talk ${Date.now()}`;
  const file = generatedVideo(testInfo.outputPath("talk.mp4"));
  const owner = await ownerPage(browser);
  await uploadMedia(owner, file);
  await ensureCategory(owner, "Talks");

  await adminLink(owner, "Content");
  await owner.getByRole("link", { name: "New content" }).click();
  await expect(owner.locator("body[data-hydrated]")).toBeAttached();
  await owner.getByLabel("Title").fill(title);
  await owner.getByLabel("Description").fill("A short talk about testing.");
  await owner.getByLabel("Price").fill("0");
  await owner.getByLabel("Category").selectOption("Talks");
  await owner.getByLabel("Tags").fill("Talks, Free");
  await owner.getByLabel("Media").selectOption({ label: "talk.mp4 (ready)" });
  await owner.getByRole("button", { name: "Publish" }).click();
  await expect(owner).toHaveURL(/\/admin\/content\/[0-9a-f-]{36}$/);
  await expect(owner.getByRole("heading", { name: "Status: published" })).toBeVisible();
  // Its own thumbnail, through the plain upload form.
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64",
  );
  await owner.getByLabel("Thumbnail image").setInputFiles({ name: "cover.png", mimeType: "image/png", buffer: png });
  await owner.getByRole("button", { name: "Upload thumbnail" }).click();
  await expect(owner.getByText("Thumbnail saved.")).toBeVisible();
  await expect(owner.getByRole("img", { name: "The item's thumbnail" })).toBeVisible();
  await owner.context().close();

  const email = uniqueEmail();
  await register(page, "Viewer", email);
  const link = await linkFromMail(email, "/verify-email?token=");
  await open(page, link);
  await expect(page.getByText("Your email address is verified")).toBeVisible();

  await open(page, "/");
  await page.getByLabel("Search").fill(title);
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.getByRole("region", { name: "Buy" }).getByText("Free", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Get access" }).click();
  await expect(page.getByRole("link", { name: "Watch" })).toBeVisible();

  // The choice sticks: on a fresh load the page offers "Watch".
  await open(page, page.url());
  await expect(page.getByRole("button", { name: "Get access" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Watch" })).toBeVisible();
});

test("visitors are asked to log in before getting an item", async ({ browser, page }, testInfo) => {
  const title = `Login first ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath("login-first.mp4"), 2), { title, price: "12.34" });

  await open(page, `/?q=${encodeURIComponent(title)}`);
  await expect(page.getByText("$12.34")).toBeVisible();
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("link", { name: "Buy now" }).click();
  await expect(page).toHaveURL(/\/login\?redirect=%2Fcontent%2F/);
});

test("a customer watches an item, resumes where they left off, and finds it in the library", async ({ browser, page }, testInfo) => {
  const title = `Resumable lecture ${Date.now()}`;
  await publishItem(browser, generatedVideo(testInfo.outputPath("lecture.mp4"), 20), { title, price: "0", tags: "lectures" }, { reuseMedia: true });

  const email = uniqueEmail("viewer");
  await register(page, "Viewer", email);
  await open(page, await linkFromMail(email, "/verify-email?token="));
  await expect(page.getByText("Your email address is verified")).toBeVisible();
  await open(page, `/?q=${encodeURIComponent(title)}`);
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("button", { name: "Get access" }).click();
  await page.getByRole("link", { name: "Watch" }).click();

  await expect(page).toHaveURL(/\/watch\//);
  const video = page.locator("video#player-media");
  await expect(page.locator("[data-player][data-ready]")).toBeAttached();
  const position = () => video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await page.keyboard.press("Space");
  await expect.poll(position, { timeout: 30_000 }).toBeGreaterThan(3);
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/save_progress") && r.ok());
  await page.keyboard.press("Space");
  await saved;
  const stoppedAt = await position();
  expect(stoppedAt).toBeLessThan(19);

  await open(page, "/library");
  const row = page.getByRole("list", { name: "Continue watching" });
  await expect(row.getByRole("link", { name: title })).toBeVisible();
  await expect(row.getByText(/\d+% watched/)).toBeVisible();
  await page.getByLabel("Search your library").fill("no such title");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Nothing in your library matches.")).toBeVisible();
  await open(page, "/library?tag=lectures");
  await expect(page.getByRole("list", { name: "Library" }).getByRole("link", { name: title })).toBeVisible();

  // Back to the player: it starts where the viewer stopped.
  await row.getByRole("link", { name: title }).click();
  await expect(page).toHaveURL(/\/watch\//);
  await expect.poll(position, { timeout: 30_000 }).toBeGreaterThan(stoppedAt - 1);
});
