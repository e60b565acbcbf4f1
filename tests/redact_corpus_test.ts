/**
 * The detector against the random corpus (`./_secret_corpus.ts`): every
 * secret shape in every context is redacted, the benign look-alikes are
 * left alone, every rule is exercised, and a property test plants random
 * secrets at random places in random documents.
 *
 * Each run uses a fresh seed, printed on failure; replay with
 * `REDACT_SEED=<seed> deno test --allow-all tests/redact_corpus_test.ts`.
 */
import assert from "node:assert/strict";
import { redactSecretsSync, RULE_IDS } from "../core/redact/mod.ts";
import {
  benignCases,
  CONTEXTS,
  leak,
  randomCase,
  Rng,
  runSeed,
  type SecretCase,
  secretCases,
  SHAPES,
} from "./_secret_corpus.ts";

const SEED = runSeed();
const replay = `(seed ${SEED}; replay with REDACT_SEED=${SEED})`;

Deno.test("corpus: at least 45 shapes and 100 cases, in five contexts", () => {
  const cases = secretCases(new Rng(SEED));
  assert.ok(SHAPES.length >= 45, `${SHAPES.length} shapes`);
  assert.ok(cases.length >= 100, `${cases.length} cases`);
  assert.deepEqual([...new Set(cases.map((c) => c.context))].sort(), [...CONTEXTS].sort());
});

Deno.test("corpus: every secret case is redacted, nothing longer than 4 chars survives", () => {
  const cases = secretCases(new Rng(SEED));
  const missed: string[] = [];
  for (const c of cases) {
    const r = redactSecretsSync(c.text, { source: "memory.md" });
    const where = leak(r.text, c.secrets, 5, c.text) ??
      leak(JSON.stringify(r.findings), c.secrets);
    if (where !== null) missed.push(`${c.shape}/${c.context}: ${where}`);
  }
  assert.deepEqual(missed, [], `${missed.length}/${cases.length} missed ${replay}`);
});

Deno.test("corpus: at most 1 of the 40+ benign look-alikes is redacted", () => {
  const cases = benignCases(new Rng(SEED));
  assert.ok(cases.length >= 40, `${cases.length} benign cases`);
  const flagged = cases
    .map((c) => ({ id: c.id, r: redactSecretsSync(c.text) }))
    .filter(({ r }) => r.count > 0)
    .map(({ id, r }) => `${id}: ${r.findings.map((f) => f.rule).join(",")}`);
  assert.ok(flagged.length <= 1, `flagged ${flagged.join("; ")} ${replay}`);
});

Deno.test("corpus: every rule names at least one case", () => {
  const seen = new Set<string>();
  for (const c of secretCases(new Rng(SEED))) {
    for (const f of redactSecretsSync(c.text).findings) seen.add(f.rule);
  }
  const unused = RULE_IDS.filter((id) => !seen.has(id));
  assert.deepEqual(unused, [], `rules no corpus case exercises ${replay}`);
});

// ---------------------------------------------------------------------------
// Property: random secrets planted in random documents never come out.

const WORDS = (
  "the a agent run memory bundle coach weekly metrics scope todo we fixed flaky test build " +
  "deploy rollout latency budget notes session close review branch merge release cache " +
  "queue worker retries timeout config parser schema cron zone plugin sink nats stream"
).split(" ");

function sentence(r: Rng): string {
  const n = r.int(3, 14);
  const words = Array.from({ length: n }, () => r.pick(WORDS));
  return words.join(" ").replace(/^./, (c) => c.toUpperCase()) + r.pick([".", "!", "?", ":"]);
}

/** One random block of markdown, JSON, a table, a marker or a fence. */
function fragment(r: Rng): string {
  switch (r.int(0, 7)) {
    case 0:
      return `## ${sentence(r)}`;
    case 1:
      return `- ${sentence(r)}\n- ${sentence(r)}`;
    case 2:
      return JSON.stringify({ [r.pick(WORDS)]: r.int(0, 9999), note: sentence(r) }, null, 2);
    case 3:
      return `| ${r.pick(WORDS)} | ${r.pick(WORDS)} |\n| --- | --- |\n| ${r.pick(WORDS)} | ${
        r.int(0, 500)
      } |`;
    case 4:
      return `[REDACTED:${r.pick(["github-token", "private-key", "generic-secret", "jwt"])}]`;
    case 5:
      return "```\n" + sentence(r) + "\n```";
    case 6:
      return `> ${sentence(r)} [REDACTED:aws-access-key-id] ${sentence(r)}`;
    default:
      return sentence(r);
  }
}

/** Joins parts with a random separator (space, newline, blank line, CRLF, non-ASCII). */
function join(r: Rng, parts: string[]): string {
  const crlf = r.int(0, 3) === 0;
  let out = "";
  for (const [i, p] of parts.entries()) {
    if (i > 0) out += r.pick([" ", "\n", "\n\n", " \n", "\r\n", " é🙂 "]);
    // Some documents use Windows line ends throughout.
    out += crlf ? p.replace(/\n/g, "\r\n") : p;
  }
  return out;
}

Deno.test("property: planted secrets never appear in the output", () => {
  const r = new Rng(SEED);
  for (let round = 0; round < 400; round++) {
    const parts = Array.from({ length: r.int(1, 12) }, () => fragment(r));
    const planted: SecretCase[] = [];
    for (let k = r.int(1, 4); k > 0; k--) {
      const c = randomCase(r);
      planted.push(c);
      parts.splice(r.int(0, parts.length), 0, c.text);
    }
    const input = join(r, parts);
    const out = redactSecretsSync(input).text;
    for (const c of planted) {
      const where = leak(out, c.secrets, 5, input);
      assert.equal(
        where,
        null,
        `round ${round}: ${c.shape}/${c.context} leaked ${where} ${replay}`,
      );
    }
    // Redacting the output again finds nothing new (our markers are not secrets).
    assert.equal(redactSecretsSync(out).count, 0, `round ${round}: output re-flagged ${replay}`);
  }
});
