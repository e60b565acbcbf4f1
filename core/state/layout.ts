/**
 * Where a repository keeps what its agent sessions record (ADR-005 §3).
 * The bundle's sections read these paths, the close-the-loop commands write
 * them, the roster looks at them: one place says where they are. Paths are
 * relative to the repository root; agent names are already restricted to
 * `^[a-z0-9][a-z0-9-]*$`, so they are safe path segments.
 *
 * @module
 */

/** An agent's project memory: dated notes, newest last. */
export function memoryPath(agent: string): string {
  return `.kaizen/agents/${agent}/memory.md`;
}

/** An agent's metrics folder. */
export function metricsDir(agent: string): string {
  return `.kaizen/metrics/${agent}`;
}

/** The summary derived from the execution records. */
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

/** One JSON execution record per line, appended at session close. */
export function executionsPath(agent: string): string {
  return `${metricsDir(agent)}/executions.jsonl`;
}

/** The optimizer's outputs (`analysis.json`, `recommendations.jsonl`). */
export const OPTIMIZER_DIR = ".kaizen/metrics/optimizer";
