import { test, expect, open, ownerPage, sidewaysOverflow } from "./helpers";

test("the owner adds a webhook endpoint and sees its secret once", async ({ browser }) => {
  const owner = await ownerPage(browser);
  await open(owner, "/admin/settings");
  const section = owner.getByRole("region", { name: "Webhooks" });
  const url = `http://127.0.0.1:9/hook-${Date.now()}`;
  await section.getByLabel("Endpoint URL").fill("http://tools.example.com/hook");
  await section.getByRole("button", { name: "Add endpoint" }).click();
  await expect(section.getByRole("alert")).toContainText("https://");

  await section.getByLabel("Endpoint URL").fill(url);
  await section.getByRole("button", { name: "Add endpoint" }).click();
  const secret = section.getByTestId("webhook-secret");
  await expect(secret).toHaveText(/^whsec_[0-9a-f]{64}$/);
  const shown = await secret.textContent();
  const endpoints = section.getByRole("table", { name: "Webhook endpoints" });
  await expect(endpoints).toContainText(url);
  // The long secret and address wrap: the page does not scroll sideways (on a phone too).
  expect((await sidewaysOverflow(owner)).overflow).toBeLessThanOrEqual(0);

  // Shown once: a reload lists the endpoint, never its secret.
  await open(owner, "/admin/settings");
  await expect(owner.getByRole("table", { name: "Webhook endpoints" })).toContainText(url);
  await expect(owner.getByText(shown ?? "")).toHaveCount(0);

  // Rolling gives a new one, shown once too.
  const row = owner.getByRole("row", { name: new RegExp(url) });
  await row.getByRole("button", { name: "Roll secret" }).click();
  await expect(owner.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
  await expect(owner.getByTestId("webhook-secret")).not.toHaveText(shown ?? "");
  await owner.getByRole("row", { name: new RegExp(url) }).getByRole("button", { name: "Remove" }).click();
  await expect(owner.getByRole("row", { name: new RegExp(url) })).toHaveCount(0);
  await owner.context().close();
});
