/**
 * Where a repository keeps what its agent sessions record (ADR-005 §3).
 * The bundle's sections read these paths, the close-the-loop commands write
 * them, the roster looks at them: one place says where they are. Paths are
 * relative to the repository root; agent names are already restricted to
 * `^[a-z0-9][a-z0-9-]*$`, so they are safe path segments.
 *
 * @module
 */

/**
 * An agent's project memory: dated notes, newest last.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendMemoryNote, memoryPath } from "../../mod.ts";
 *
 * assert.equal(memoryPath("coach"), ".kaizen/agents/coach/memory.md");
 * const repo = await Deno.makeTempDir();
 * try {
 *   await appendMemoryNote(repo, "coach", "Run deno task test before pushing", new Date());
 *   const text = await Deno.readTextFile(`${repo}/${memoryPath("coach")}`);
 *   assert.match(text, /^- Run deno task test before pushing$/m);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function memoryPath(agent: string): string {
  return `.kaizen/agents/${agent}/memory.md`;
}

/** An agent's metrics folder. */
export function metricsDir(agent: string): string {
  return `.kaizen/metrics/${agent}`;
}

/**
 * The summary derived from the execution records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summaryPath } from "../../mod.ts";
 *
 * assert.equal(summaryPath("coach"), ".kaizen/metrics/coach/summary.json");
 * ```
 */
export function summaryPath(agent: string): string {
  return `${metricsDir(agent)}/summary.json`;
}

/**
 * The running state `summary.json` is updated from (kaizen's own; ADR 0002),
 * so a new record does not mean re-reading the whole history.
 */
export function summaryStatePath(agent: string): string {
  return `${metricsDir(agent)}/summary.state.json`;
}

/**
 * One JSON execution record per line, appended at session close.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { executionsPath } from "../../mod.ts";
 *
 * assert.equal(executionsPath("coach"), ".kaizen/metrics/coach/executions.jsonl");
 * ```
 */
export function executionsPath(agent: string): string {
  return `${metricsDir(agent)}/executions.jsonl`;
}

/**
 * The optimizer's outputs (`analysis.json`, `recommendations.jsonl`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPTIMIZER_DIR } from "../../mod.ts";
 *
 * assert.equal(`${OPTIMIZER_DIR}/analysis.json`, ".kaizen/metrics/optimizer/analysis.json");
 * ```
 */
export const OPTIMIZER_DIR = ".kaizen/metrics/optimizer";
