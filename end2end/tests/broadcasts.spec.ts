import { test, expect, open, publishItem, generatedVideo, ownerPage, openItem, linkFromMail, uniqueEmail, PASSWORD, OWNER, adminLink } from "./helpers";

test("the owner writes, previews, tests and sends a broadcast to one item's buyers; a buyer unsubscribes from its link", async ({ browser, page }, testInfo) => {
  const title = `Broadcast film ${Date.now()}`;
  // The selling spec's 4 s clip, shared: uploads are limited to 10 an hour.
  await publishItem(browser, generatedVideo(testInfo.outputPath("selling.mp4")), { title, price: "0" }, { reuseMedia: true });

  // A customer who asks for news on registering, verifies, and gets the item.
  const email = uniqueEmail("reader");
  await open(page, "/register");
  await page.getByLabel("Name").fill("Reader");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await expect(page.getByLabel("Send me news and new releases")).not.toBeChecked();
  await page.getByLabel("Send me news and new releases").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/library$/);
  await open(page, await linkFromMail(email, "/verify-email?token="));
  await expect(page.getByText("Your email address is verified")).toBeVisible();
  await openItem(page, title);
  await page.getByRole("button", { name: "Get access" }).click();
  await expect(page.getByRole("link", { name: "Watch", exact: true })).toBeVisible();

  // The owner writes to the item's buyers.
  const owner = await ownerPage(browser);
  await adminLink(owner, "Broadcasts");
  await expect(owner.getByRole("heading", { name: "Broadcasts", exact: true })).toBeVisible();
  await owner.getByRole("link", { name: "New broadcast" }).click();
  const subject = `News about ${title}`;
  await owner.getByLabel("Subject", { exact: true }).fill(subject);
  await owner.getByLabel("Message", { exact: true }).fill("# A new chapter\n\nThank you for watching **the film**.");
  await owner.getByLabel("Segment").selectOption("buyers");
  await owner.getByLabel(title, { exact: true }).check();
  await owner.getByRole("button", { name: "Save draft" }).click();
  await expect(owner).toHaveURL(/\/admin\/emails\/broadcasts\/[0-9a-f-]{36}$/);
  await expect(owner.getByRole("heading", { name: subject })).toBeVisible();
  await expect(owner.getByTestId("recipients")).toHaveText("1");
  await expect(owner.frameLocator('iframe[title="Email preview"]').getByRole("heading", { name: "A new chapter" })).toBeVisible();

  await owner.getByRole("button", { name: "Send test" }).click();
  await expect(owner.getByRole("status")).toContainText("A test is on its way");
  await linkFromMail(OWNER.email, "/email/preferences");
  await owner.getByRole("button", { name: "Send now" }).click();
  await expect(owner.getByRole("status").filter({ hasText: "The broadcast is on its way" })).toBeVisible();
  await expect(owner.getByRole("button", { name: "Send now" })).toHaveCount(0);

  // The buyer gets it and follows its preferences link, signed out.
  const link = await linkFromMail(email, "/email/preferences?token=");
  const reader = await browser.newPage();
  await open(reader, link);
  await expect(reader.getByRole("heading", { name: "Email preferences" })).toBeVisible();
  await expect(reader.getByText(`For ${email}.`)).toBeVisible();
  await expect(reader.getByLabel("News", { exact: true })).toBeChecked();
  await reader.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(reader.getByRole("status")).toContainText("You are unsubscribed");
  await expect(reader.getByLabel("News", { exact: true })).not.toBeChecked();
  await reader.close();

  // The owner sees it sent once, and the unsubscribe it caused.
  await expect(async () => {
    await open(owner, "/admin/emails/broadcasts");
    const row = owner.getByRole("row").filter({ has: owner.getByRole("link", { name: subject }) });
    await expect(row.getByRole("cell").nth(2)).toHaveText("sent");
    await expect(row.getByRole("cell").nth(5)).toHaveText("1");
    await expect(row.getByRole("cell").nth(9)).toHaveText("1");
  }).toPass({ timeout: 30_000 });
  await owner.context().close();
});
