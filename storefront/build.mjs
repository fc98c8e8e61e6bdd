// Build the storefront into build/storefront/: app.js and the modules it imports (i18n.js,
// shared/) as one minified ES module, each stylesheet minified, index.html and config.js copied.
// The same paths as the sources, so index.html is unchanged. `make storefront` runs it.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "build", "storefront");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(here, "app.js"), styles: join(here, "styles.css"), "shared/base": join(here, "shared", "base.css") },
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  // Module scripts are always read as UTF-8: the French and Spanish texts need no \u escapes.
  charset: "utf8",
  sourcemap: true,
  outdir: out,
  logLevel: "warning",
});
for (const file of ["index.html", "config.js"]) cpSync(join(here, file), join(out, file));
