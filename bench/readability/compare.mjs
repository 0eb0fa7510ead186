// Runs Mozilla's Readability.js on every page of a Readability test-page folder and writes
// what it found, with times, as JSON for the Rust evaluation (benches/import_eval.rs), which
// scores it with the same tokenizer and F1 as Claimlens' own output.
//
//   node compare.mjs PAGES_DIR OUT.json [--runs N]
//
// Each page: JSDOM parses source.html with the page URL Readability's own tests use
// (http://fakehost/test/page.html), then `new Readability(document).parse()`. One warm-up run,
// then N timed runs (default 5, a fresh JSDOM each, as parse() changes the document); the
// median is kept, both for Readability alone and for JSDOM parsing + Readability.
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import { JSDOM, VirtualConsole } from "jsdom";
import { Readability } from "@mozilla/readability";

const args = process.argv.slice(2);
let runs = 5;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runs") runs = Math.max(1, parseInt(args[++i], 10));
  else positional.push(args[i]);
}
const [pagesDir, outFile] = positional;
if (!pagesDir || !outFile) {
  console.error("usage: node compare.mjs PAGES_DIR OUT.json [--runs N]");
  process.exit(2);
}

const PAGE_URL = "http://fakehost/test/page.html";
// Pages' own console output and CSS errors are not ours to print.
const quiet = new VirtualConsole();

function once(source) {
  const t0 = performance.now();
  const dom = new JSDOM(source, { url: PAGE_URL, virtualConsole: quiet });
  const t1 = performance.now();
  const article = new Readability(dom.window.document).parse();
  const t2 = performance.now();
  dom.window.close();
  return { article, readabilityMs: t2 - t1, totalMs: t2 - t0 };
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return 0;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Same order as the Rust side (names are ASCII: code-unit order is byte order).
const names = readdirSync(pagesDir)
  .filter((n) => existsSync(join(pagesDir, n, "source.html")))
  .sort();
const pages = [];
const failed = [];
for (const name of names) {
  const source = readFileSync(join(pagesDir, name, "source.html"), "utf8");
  let article;
  const times = [];
  try {
    article = once(source).article; // warm-up
    for (let i = 0; i < runs; i++) {
      const r = once(source);
      times.push(r);
      article = r.article;
    }
  } catch (e) {
    // Counted as an empty article (F1 0), and named.
    failed.push(`${name}: ${String(e).split("\n")[0]}`);
    article = null;
  }
  pages.push({
    name,
    readabilityMs: times.length ? median(times.map((t) => t.readabilityMs)) : null,
    totalMs: times.length ? median(times.map((t) => t.totalMs)) : null,
    textContent: article?.textContent ?? "",
    content: article?.content ?? "",
    metadata: {
      title: article?.title ?? null,
      byline: article?.byline ?? null,
      siteName: article?.siteName ?? null,
      publishedTime: article?.publishedTime ?? null,
      lang: article?.lang ?? null,
      excerpt: article?.excerpt ?? null,
      dir: article?.dir ?? null,
    },
  });
}

const require = createRequire(import.meta.url);
const version = (pkg) => require(`${pkg}/package.json`).version;
const summary = {
  node: process.version,
  readability: version("@mozilla/readability"),
  jsdom: version("jsdom"),
  runs,
  failed,
  pages,
};
writeFileSync(outFile, JSON.stringify(summary));
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
console.log(
  `Readability.js ${summary.readability} (jsdom ${summary.jsdom}, node ${summary.node}): ${pages.length} pages, ` +
    `median ${median(pages.map((p) => p.readabilityMs)).toFixed(2)} ms/page Readability only, ` +
    `${median(pages.map((p) => p.totalMs)).toFixed(2)} ms/page JSDOM + Readability; ` +
    `total ${sum(pages.map((p) => p.readabilityMs)).toFixed(0)} / ${sum(pages.map((p) => p.totalMs)).toFixed(0)} ms`,
);
for (const f of failed) console.log(`  failed (scored as empty): ${f}`);
