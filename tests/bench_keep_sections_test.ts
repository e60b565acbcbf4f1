import assert from "node:assert/strict";
import { foreignSections, GENERATED_HEADINGS, mergeResults } from "../bench/keep_sections.ts";

const previous = `# kaizen start-up benchmark

old intro

## Results

old table

## fleet status on 1,000,000 events (issue 20)

fleet numbers

## Machine

- nproc: 2

## Commands

- a

## What this measures / what it does not

prose

## A later note

kept too
`;

Deno.test("foreignSections keeps only the sections the generator does not write, in order", () => {
  assert.deepStrictEqual(
    foreignSections(previous, GENERATED_HEADINGS),
    "## fleet status on 1,000,000 events (issue 20)\n\nfleet numbers\n\n## A later note\n\nkept too",
  );
});

Deno.test("mergeResults appends the foreign sections after a fresh file and drops stale generated ones", () => {
  const fresh = "# kaizen start-up benchmark\n\n## Results\n\nnew table\n";
  const merged = mergeResults(previous, fresh);
  assert.deepStrictEqual(merged.includes("old table"), false);
  assert.deepStrictEqual(merged.startsWith(fresh.trimEnd()), true);
  assert.deepStrictEqual(merged.endsWith("## A later note\n\nkept too\n"), true);
  assert.deepStrictEqual(merged.includes("fleet numbers"), true);
});

Deno.test("mergeResults on a first run (no previous file) is the fresh file", () => {
  assert.deepStrictEqual(mergeResults("", "# t\n\n## Results\n\nx\n"), "# t\n\n## Results\n\nx\n");
});
