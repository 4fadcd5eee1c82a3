import { expect, linkFromMail, logIn, newClient, open, ownerPage, PASSWORD, randomClientIp, register, test, uniqueEmail } from "./helpers";

test("first-run setup creates the owner, and /setup is gone afterwards", async ({ browser, page }) => {
  const owner = await ownerPage(browser);
  await expect(owner.getByRole("link", { name: "Admin", exact: true })).toBeVisible();
  await owner.context().close();

  await page.goto("/setup");
  await expect(page).toHaveURL(/\/login$/);
});

test("a customer registers, verifies the email from the mailed link, logs out and logs in again", async ({ browser, page }) => {
  const email = uniqueEmail();
  await register(page, "Ada Lovelace", email);
  await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
  await expect(page.getByText("Please verify your email address")).toBeVisible();

  const link = await linkFromMail(email, "/verify-email?token=");
  await open(page, link);
  await expect(page.getByText("Your email address is verified")).toBeVisible();
  await open(page, "/account");
  await expect(page.getByText(`Your email is ${email} (verified).`)).toBeVisible();
  await expect(page.getByText("Please verify your email address")).toHaveCount(0);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
  await open(page, "/library");
  await expect(page).toHaveURL(/\/login\?redirect=%2Flibrary$/);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Remember me").check();
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/library$/);
  const cookie = (await page.context().cookies()).find((c) => c.name === "codex_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
  const days = ((cookie?.expires ?? 0) - Date.now() / 1000) / 86400;
  expect(days).toBeGreaterThan(29);
});

test("a forgotten password is reset through the emailed link, typed before the page's script runs", async ({ browser, page }) => {
  const email = uniqueEmail();
  await register(page, "Grace Hopper", email);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  await open(page, "/forgot-password");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account exists for that email");

  const link = await linkFromMail(email, "/reset-password?token=");
  // Typing starts as soon as the HTML arrives, while the page's script is held back:
  // hydration keeps what was typed (it used to wipe it).
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(link, { waitUntil: "commit" });
  await page.getByLabel("Password", { exact: true }).fill("Brand9newpass");
  release();
  await expect(page.locator("body[data-hydrated]")).toBeAttached();
  await page.unroute("**/pkg/*.wasm");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("Brand9newpass");
  await page.getByLabel("Confirm password").fill("Brand9newpass");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByRole("status")).toContainText("Your password was changed");

  await logIn(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  await logIn(page, email, "Brand9newpass");
  await expect(page).toHaveURL(/\/library$/);

  // The link works once.
  await open(page, link);
  await page.getByLabel("Password", { exact: true }).fill("Another9pass");
  await page.getByLabel("Confirm password").fill("Another9pass");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert")).toHaveText("This link is invalid or has expired.");
});

test("a password is reset through the emailed link before the page's scripts run", async ({ browser, page }) => {
  const email = uniqueEmail();
  await register(page, "Katherine Johnson", email);
  // No JavaScript at all: what a click before hydration posts.
  const context = await browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
  const plain = await context.newPage();
  await plain.goto("/forgot-password");
  await plain.getByLabel("Email").fill(email);
  await plain.getByRole("button", { name: "Send reset link" }).click();
  const link = await linkFromMail(email, "/reset-password?token=");
  await plain.goto(link);
  await plain.getByLabel("Password", { exact: true }).fill("Plain9newpass");
  await plain.getByLabel("Confirm password").fill("Plain9newpass");
  await plain.getByRole("button", { name: "Set new password" }).click();
  await expect(plain).toHaveURL(/\/login\?reset=1$/);
  await expect(plain.getByRole("status")).toContainText("Your password was changed");
  await context.close();

  await page.getByRole("button", { name: "Log out" }).click();
  await logIn(page, email, "Plain9newpass");
  await expect(page).toHaveURL(/\/library$/);
});

test("a customer is refused at /admin", async ({ browser, page }) => {
  await ownerPage(browser).then((p) => p.context().close());
  await register(page, "Curious Customer", uniqueEmail());
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("alert")).toContainText("You do not have permission");
  await expect(page.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);
});

test("a protected page sends a visitor to log in and back", async ({ page }) => {
  const email = uniqueEmail();
  await register(page, "Returning Customer", email);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();

  await open(page, "/account");
  await expect(page).toHaveURL(/\/login\?redirect=%2Faccount$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
});

test("bad input is answered in an alert", async ({ browser, page }) => {
  await open(page, "/register");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText("Name is required.");

  await page.getByLabel("Name").fill("<script>alert(1)</script>");
  await page.getByLabel("Email").fill("not an email");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText("Enter a valid email address.");

  await page.getByLabel("Email").fill(uniqueEmail());
  // A 10 kB paste is capped by the field, and the server still explains the rules.
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("x".repeat(10_000));
  expect((await password.inputValue()).length).toBe(128);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "Password must contain an upper case letter, a lower case letter and a digit.",
  );

  // Errors came back through the hydrated client, not a full page round trip.
  await expect(page).toHaveURL(/\/register$/);

  // A fourth registration attempt within the hour from one address is rate limited.
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill("Different1x");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText("Too many attempts. Please try again later.");

  const other = await newClient(browser);
  await open(other, "/register");
  await other.getByLabel("Name").fill("Ada");
  await other.getByLabel("Email").fill(uniqueEmail());
  await other.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await other.getByLabel("Confirm password").fill("Different1x");
  await other.getByRole("button", { name: "Create account" }).click();
  await expect(other.getByRole("alert")).toHaveText("Passwords do not match.");

  await logIn(other, "nobody@codex.test", "Wrong1password");
  await expect(other.getByRole("alert")).toHaveText("Invalid email or password.");
  await other.context().close();
});

test("the account page changes the name", async ({ page }) => {
  await register(page, "Old Name", uniqueEmail());
  await open(page, "/account");
  await page.getByLabel("Name").fill("New Name");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Your name was saved.");
  await open(page, "/account");
  await expect(page.getByRole("link", { name: "New Name" })).toBeVisible();
});

test("forms work without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill("nobody@codex.test");
  await page.getByLabel("Password", { exact: true }).fill("Wrong1password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid email or password.");
  await context.close();
});
