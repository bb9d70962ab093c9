// Rebuilds static/vendor/uppy/ from the pinned packages (package-lock.json): `make vendor-uppy`.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const out = new URL("../../static/vendor/uppy/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["entry.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "eof",
  outfile: out + "uppy.min.js",
});
const css = ["@uppy/core/dist/style.min.css", "@uppy/dashboard/dist/style.min.css"]
  .map((p) => readFileSync(new URL("node_modules/" + p, import.meta.url), "utf8"))
  .join("\n");
writeFileSync(out + "uppy.min.css", css);
const packages = ["core", "dashboard", "aws-s3", "golden-retriever"].map((name) => {
  const pkg = JSON.parse(readFileSync(new URL(`node_modules/@uppy/${name}/package.json`, import.meta.url)));
  return `@uppy/${name} ${pkg.version} (${pkg.license})`;
});
const noble = JSON.parse(readFileSync(new URL("node_modules/@noble/hashes/package.json", import.meta.url)));
packages.push(`@noble/hashes ${noble.version} (${noble.license}; its sha256 only)`);
const licence = readFileSync(new URL("node_modules/@uppy/core/LICENSE", import.meta.url), "utf8");
const nobleLicence = readFileSync(new URL("node_modules/@noble/hashes/LICENSE", import.meta.url), "utf8");
writeFileSync(
  out + "VERSION.txt",
  "Built by frontend/uppy (npm ci && npm run build) from:\n" +
    packages.join("\n") +
    "\n\nUppy's licence:\n\n" +
    licence +
    "\n@noble/hashes' licence:\n\n" +
    nobleLicence,
);
console.log("built", out, packages.join(", "));
