// Copies the front-end libraries installed from the npm registry into build/static/vendor,
// where Django's staticfiles finds them. Nothing under build/ is committed.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static", "vendor");
mkdirSync(out, { recursive: true });
const files = [["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"]];
for (const [src, dest] of files) cpSync(join(root, src), join(out, dest));
console.log(`front-end libraries copied to ${out}`);
