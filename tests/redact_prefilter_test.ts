/**
 * The keyword prefilter may only skip rules none of whose keywords occur in
 * the text. Held here to the plain definition — lower-case the text, test
 * every keyword with `includes` — on random texts seeded with keywords in
 * any case, split keywords, non-ASCII and lone surrogates: a window the
 * prefilter failed to record (an off-by-one, a hash that differs between
 * keyword and text) would drop a rule that must run.
 */
import assert from "node:assert/strict";
import { admittedRuleIds } from "../core/redact/redact.ts";
import { RULES } from "../core/redact/rules.ts";

function reference(text: string): string[] {
  const lower = text.toLowerCase();
  return RULES.filter((r) => r.keywords.length === 0 || r.keywords.some((k) => lower.includes(k)))
    .map((r) => r.id);
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const KEYWORDS = [...new Set(RULES.flatMap((r) => r.keywords))];
const NOISE = [
  "a",
  "Z",
  " ",
  "\n",
  "_",
  "-",
  ":",
  "=",
  "é",
  "İ",
  "ß",
  "🔑",
  "\ud800",
  "0",
  "/",
  ".",
];

function randomText(next: () => number): string {
  const parts: string[] = [];
  const n = Math.floor(next() * 40);
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.3) {
      let k = KEYWORDS[Math.floor(next() * KEYWORDS.length)];
      if (next() < 0.3) k = k.toUpperCase();
      if (next() < 0.2) k = k.slice(0, Math.max(1, k.length - 1)); // almost a keyword
      parts.push(k);
    } else {
      parts.push(NOISE[Math.floor(next() * NOISE.length)].repeat(1 + Math.floor(next() * 3)));
    }
  }
  return parts.join("");
}

Deno.test("prefilter admits exactly the rules a plain substring check admits (3,000 random texts)", () => {
  const next = rng(20261122);
  for (let i = 0; i < 3000; i++) {
    const text = randomText(next);
    assert.deepEqual(admittedRuleIds(text), reference(text), JSON.stringify(text));
  }
});

Deno.test("prefilter: a long text full of keywords, then a short clean one, admits nothing extra", () => {
  const full = KEYWORDS.join(" ").repeat(3);
  assert.deepEqual(admittedRuleIds(full), reference(full));
  for (const clean of ["", "a", "ab", "hello world", "plain prose with no secrets"]) {
    assert.deepEqual(admittedRuleIds(clean), reference(clean));
  }
});
