/**
 * `bench/run.ts --write` regenerates `bench/RESULTS.md`, but other
 * benchmarks (`bench/fleet.ts`, hand-written notes on a run) append sections
 * of their own. Rewriting the file must not drop them: every `## ` section
 * whose heading the generator does not produce is carried over, in order.
 *
 * @module
 */

/** The `## ` headings `bench/run.ts` writes itself. */
export const GENERATED_HEADINGS: readonly string[] = [
  "Results",
  "Machine",
  "Commands",
  "What this measures / what it does not",
];

/**
 * The `## ` sections of `previous` not in `generated`, each from its heading
 * to the next `## ` heading, joined in their original order ("" if none).
 */
export function foreignSections(previous: string, generated: readonly string[]): string {
  const kept: string[] = [];
  // Split before each level-2 heading; the first piece is the title block.
  const pieces = previous.split(/^(?=## )/m).slice(1);
  for (const piece of pieces) {
    const heading = piece.slice(3, piece.indexOf("\n") === -1 ? undefined : piece.indexOf("\n"))
      .trim();
    if (!generated.includes(heading)) kept.push(piece.trimEnd());
  }
  return kept.join("\n\n");
}

/** `fresh` followed by the sections of `previous` that `fresh` does not own. */
export function mergeResults(previous: string, fresh: string): string {
  const foreign = foreignSections(previous, GENERATED_HEADINGS);
  return foreign ? `${fresh.trimEnd()}\n\n${foreign}\n` : fresh;
}
