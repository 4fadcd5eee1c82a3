import { defineConfig, devices } from "@playwright/test";

// The instance under test is started by scripts/e2e.sh with its own fresh database, and its
// URL is passed in BASE_URL. Browsers come from Debian (`chromium`), not from downloads.
const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:3000";

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // Under CI a failed test runs once more; one that then passes is listed as flaky.
  retries: process.env.CI ? 1 : 0,
  // scripts/e2e.sh runs the projects side by side, each with its own results and report.
  outputDir: process.env.E2E_OUTPUT_DIR ?? "test-results",
  reporter: [["list"], ["html", { open: "never", outputFolder: process.env.E2E_REPORT_DIR ?? "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  // Every spec runs in both: a desktop window and a phone (touch, 390 px wide). scripts/e2e.sh
  // gives each project its own instance, so each starts from an empty database.
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions } },
    { name: "phone", use: { ...devices["Pixel 7"], viewport: { width: 390, height: 844 }, launchOptions } },
  ],
});
