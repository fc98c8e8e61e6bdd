// Build the console into build/console/: one bundled, minified ES module and one stylesheet, with
// index.html and config.js copied beside them. `make console` runs it (after `npm ci`).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "build", "console");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, "src", "main.js") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  outdir: out,
  // amazon-cognito-identity-js reads `global` (Node's name for the global object).
  define: { global: "globalThis" },
  logLevel: "warning",
});
for (const file of ["index.html", "config.js"]) cpSync(join(here, file), join(out, file));
