// Hypothesis' text-quote matcher, re-implemented for the comparison: the logic of
// src/annotator/anchoring/match-quote.ts in the Hypothesis client (BSD-2-Clause), with the
// library it uses, approx-string-match (MIT).
//
// * Candidates: every exact occurrence of the quote (String.indexOf); only if there is none,
//   approx-string-match with maxErrors = min(256, quote.length / 2).
// * Score of a candidate, 0..1: (50 · quote + 20 · prefix + 20 · suffix + 2 · position) / 92,
//   where quote = 1 − errors / quote.length, prefix/suffix = 1 − errors / context.length of the
//   best match of the stored context in the same number of characters before/after the
//   candidate (1 when the selector has no context; 0 when the text there is empty), and
//   position = 1 − |start − hint| / text.length.
// * The best-scoring candidate wins. There is no minimum score and no "review" outcome: a
//   match is an anchor.
//
// Like Hypothesis, anchor() first tries the position selector and keeps it when the text
// there is the quote. All offsets are UTF-16 code units, as in the browser.

import approxSearch from "approx-string-match";

function search(text, str, maxErrors) {
  const exact = [];
  let at = text.indexOf(str);
  while (at !== -1) {
    exact.push({ start: at, end: at + str.length, errors: 0 });
    at = text.indexOf(str, at + 1);
  }
  if (exact.length > 0) {
    return exact;
  }
  return approxSearch(text, str, maxErrors);
}

function textMatchScore(text, str) {
  if (str.length === 0 || text.length === 0) {
    return 0.0;
  }
  const matches = search(text, str, str.length);
  return 1 - matches[0].errors / str.length;
}

export function matchQuote(text, quote, context = {}) {
  if (quote.length === 0) {
    return null;
  }
  const maxErrors = Math.min(256, quote.length / 2);
  const matches = search(text, quote, maxErrors);
  if (matches.length === 0) {
    return null;
  }
  const score = (m) => {
    const quoteScore = 1 - m.errors / quote.length;
    const prefixScore = context.prefix
      ? textMatchScore(
          text.slice(Math.max(0, m.start - context.prefix.length), m.start),
          context.prefix,
        )
      : 1.0;
    const suffixScore = context.suffix
      ? textMatchScore(
          text.slice(m.end, m.end + context.suffix.length),
          context.suffix,
        )
      : 1.0;
    let posScore = 1.0;
    if (typeof context.hint === "number") {
      posScore = 1.0 - Math.abs(m.start - context.hint) / text.length;
    }
    return (
      (50 * quoteScore + 20 * prefixScore + 20 * suffixScore + 2 * posScore) / 92
    );
  };
  let best = null;
  for (const m of matches) {
    const s = score(m);
    if (best === null || s > best.score) {
      best = { start: m.start, end: m.end, score: s };
    }
  }
  return best;
}

// The position selector if the text there is the quote, else the quote selector with the
// position as a hint.
export function anchor(text, selector) {
  const { exact, prefix, suffix, start, end } = selector;
  if (end <= text.length && text.slice(start, end) === exact) {
    return { start, end, score: 1 };
  }
  return matchQuote(text, exact, { prefix, suffix, hint: start });
}
