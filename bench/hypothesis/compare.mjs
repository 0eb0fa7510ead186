// Runs Hypothesis' matcher (match-quote.mjs) on the cases the Rust mutation benchmark dumped,
// classifies every result against the same ground truth, and prints it side by side with
// Claimlens' own counts.
//
//   node compare.mjs CASES.json [CLAIMLENS.json]
//
// CASES.json:     `cargo bench --bench reanchor -- --dump-cases CASES.json`
// CLAIMLENS.json: `cargo bench --bench reanchor -- --dump-results CLAIMLENS.json`
//
// Ground truth (from the benchmark): "kept" / "edited" with the range the annotation is at now
// (code points), or "gone". Hypothesis has no review: a match is an anchor. It is *correct* at
// the true range, *WRONG* anywhere else or when the text is gone; *not found* is right when
// the text is gone and lost otherwise.

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { anchor } from "./match-quote.mjs";

const [casesPath, claimlensPath] = process.argv.slice(2);
if (!casesPath) {
  console.error("usage: node compare.mjs CASES.json [CLAIMLENS.json]");
  process.exit(2);
}
const { groups } = JSON.parse(readFileSync(casesPath, "utf8"));

// UTF-16 code unit offset → code point offset, for one text.
function codePointIndex(text) {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        map[i + 1] = cp;
        i++;
      }
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

const byKind = new Map();
const row = (kind) => {
  if (!byKind.has(kind)) {
    byKind.set(kind, {
      kind,
      cases: 0,
      correct: 0,
      wrong: 0,
      notFoundRight: 0,
      lost: 0,
      ms: 0,
    });
  }
  return byKind.get(kind);
};

for (const group of groups) {
  const text = group.new_text;
  const toCp = codePointIndex(text);
  const r = row(group.kind);
  for (const c of group.cases) {
    const selector = {
      exact: c.exact,
      prefix: c.prefix,
      suffix: c.suffix,
      start: c.start_utf16,
      end: c.end_utf16,
    };
    const t0 = performance.now();
    const found = anchor(text, selector);
    r.ms += performance.now() - t0;
    r.cases++;
    if (found === null) {
      if (c.truth === "gone") r.notFoundRight++;
      else r.lost++;
      continue;
    }
    const start = toCp[found.start];
    const end = toCp[found.end];
    if (c.truth !== "gone" && start === c.truth_start && end === c.truth_end) {
      r.correct++;
    } else {
      r.wrong++;
    }
  }
}

const claimlens = new Map();
if (claimlensPath) {
  const results = JSON.parse(readFileSync(claimlensPath, "utf8"));
  for (const r of results.rows) claimlens.set(r.kind, r);
}

const rows = [...byKind.values()];
const total = rows.reduce(
  (t, r) => {
    for (const k of ["cases", "correct", "wrong", "notFoundRight", "lost", "ms"]) t[k] += r[k];
    return t;
  },
  { kind: "all", cases: 0, correct: 0, wrong: 0, notFoundRight: 0, lost: 0, ms: 0 },
);
const claimlensTotal = claimlensPath
  ? [...claimlens.values()].reduce((t, r) => {
      for (const k of Object.keys(r)) if (typeof r[k] === "number") t[k] = (t[k] ?? 0) + r[k];
      return t;
    }, {})
  : null;

const pad = (s, n) => String(s).padStart(n);
const padEnd = (s, n) => String(s).padEnd(n);
const line = "-".repeat(claimlensPath ? 126 : 70);
console.log(
  `\n${padEnd("", 23)} ${pad("", 6)} | ${claimlensPath ? padEnd("Claimlens", 52) + "| " : ""}Hypothesis (match-quote + approx-string-match)`,
);
console.log(
  `${padEnd("edit kind", 23)} ${pad("cases", 6)} | ` +
    (claimlensPath
      ? `${pad("anchored", 8)} ${pad("WRONG", 5)} ${pad("twin", 4)} ${pad("review", 6)} ${pad("orph.", 5)} ${pad("lost", 4)} ${pad("ms", 7)} | `
      : "") +
    `${pad("correct", 7)} ${pad("WRONG", 6)} ${pad("not found", 9)} ${pad("lost", 5)} ${pad("ms", 8)}`,
);
console.log(line);
for (const r of [...rows, total]) {
  if (r === total) console.log(line);
  const c = r === total ? claimlensTotal : claimlens.get(r.kind);
  const left = c
    ? `${pad(c.anchored_right, 8)} ${pad(c.wrong, 5)} ${pad(c.twin, 4)} ${pad(
        c.review_right + c.review_other + c.review_gone,
        6,
      )} ${pad(c.orphaned_right, 5)} ${pad(c.lost, 4)} ${pad(c.time_ms.toFixed(1), 7)} | `
    : claimlensPath
      ? `${padEnd("", 52)}| `
      : "";
  console.log(
    `${padEnd(r.kind, 23)} ${pad(r.cases, 6)} | ${left}` +
      `${pad(r.correct, 7)} ${pad(r.wrong, 6)} ${pad(r.notFoundRight, 9)} ${pad(r.lost, 5)} ${pad(r.ms.toFixed(1), 8)}`,
  );
}
console.log(
  "\nClaimlens: anchored = anchored at the right range; WRONG = anchored elsewhere or although\n" +
    "the text is gone; twin = anchored on an old copy of the same selector; review = moved –\n" +
    "review (the analyst decides); orph. = orphaned, text gone; lost = orphaned, text there.\n" +
    "Hypothesis: correct = at the right range; WRONG = anywhere else or although the text is gone\n" +
    "(Hypothesis has no review); not found = nothing found, text gone; lost = nothing found,\n" +
    "text there. ms = time spent matching (Claimlens: reanchor() per text, all annotations at\n" +
    "once, Rust release build; Hypothesis: anchor() per annotation, node " +
    process.version +
    ").",
);
