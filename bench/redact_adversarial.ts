/**
 * How long the redactor takes on 1 MiB of inputs built to make a secret
 * scanner slow: long runs that every token pattern could start in, keyword
 * floods, unclosed structures, and one huge line. Target: ≤ 250 ms each.
 *
 * `measureRedactor()` returns the median of a few runs per shape (used by
 * `bench/run.ts` for `bench/RESULTS.md`); run this file directly for a table:
 * `deno run bench/redact_adversarial.ts`.
 *
 * @module
 */

import { redactSecretsSync } from "../core/redact/mod.ts";

const MIB = 1024 * 1024;

/** Repeats `unit` until the text is exactly 1 MiB. */
function fill(unit: string): string {
  return unit.repeat(Math.ceil(MIB / unit.length)).slice(0, MIB);
}

/** Deterministic pseudo-random text over `alphabet` (no secrets committed, no Math.random). */
function random(alphabet: string, length: number, seed = 12345): string {
  let x = seed >>> 0 || 1;
  const out: string[] = new Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = alphabet[x % alphabet.length];
  }
  return out.join("");
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The ten shapes, built lazily so importing this module costs nothing. */
export const SHAPES: ReadonlyArray<{ shape: string; build: () => string }> = [
  { shape: "base64 run", build: () => random(B64, MIB) },
  { shape: "'=' run", build: () => fill("=") },
  { shape: "password=password=…", build: () => fill("password=") },
  {
    shape: "nested brackets",
    build: () => fill("[{(").slice(0, MIB / 2) + fill(")}]").slice(0, MIB / 2),
  },
  { shape: "hex run", build: () => random("0123456789abcdef", MIB, 99) },
  {
    // Lines of bare BEGIN markers, one huge line of them, and JSON-escaped keys cut short.
    shape: "repeated -----BEGIN",
    build: () =>
      fill("-----BEGIN RSA PRIVATE KEY-----\n").slice(0, MIB / 4) +
      fill("-----BEGIN RSA PRIVATE KEY-----").slice(0, MIB / 4) +
      fill('"-----BEGIN PRIVATE KEY-----\\nMIIE').slice(0, MIB / 2),
  },
  { shape: "sk- prefixes", build: () => fill("sk-proj-_sk-ant-") },
  { shape: "table cells", build: () => fill("| password | token | secret ") },
  { shape: "://:@ runs", build: () => fill("a://:@") },
  {
    shape: "one huge line",
    build: () => fill("token: " + random(B64 + "#;", 30, 7) + " api_key = ghp_ eyJ AKIA x:y@ "),
  },
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Median milliseconds for `redactSecretsSync` over 1 MiB of each adversarial
 * shape (`runs` timed runs after one warm-up).
 */
export async function measureRedactor(
  runs = 3,
): Promise<Array<{ shape: string; bytes: number; ms: number }>> {
  const out: Array<{ shape: string; bytes: number; ms: number }> = [];
  for (const { shape, build } of SHAPES) {
    const text = build();
    redactSecretsSync(text);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      redactSecretsSync(text);
      times.push(performance.now() - t0);
      // Let other work (and the GC) in between runs.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    out.push({ shape, bytes: text.length, ms: Math.round(median(times) * 10) / 10 });
  }
  return out;
}

if (import.meta.main) {
  const rows = await measureRedactor();
  console.log("| shape | bytes | median ms |");
  console.log("| --- | ---: | ---: |");
  for (const r of rows) console.log(`| ${r.shape} | ${r.bytes} | ${r.ms} |`);
}
