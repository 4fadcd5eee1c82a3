import { defineConfig, devices } from "@playwright/test";

// The README's screenshots (scripts/screenshots.sh starts the preview and passes BASE_URL).
export default defineConfig({
  testDir: "./screenshots",
  testMatch: "*.shots.ts",
  timeout: 600_000,
  expect: { timeout: 30_000 },
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000",
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
});
