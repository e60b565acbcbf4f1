/**
 * Which agents have metrics: the folders under `.kaizen/metrics/`.
 *
 * @module
 */
import { createSafeWriter } from "../../fs/safe_write.ts";
import { AGENT_NAME_RE } from "../../manifest/constants.ts";
import { OPTIMIZER_FOLDER } from "./agent.ts";
import { asMetricsResult, type MetricsProblem, refusedError } from "./record.ts";

/** Result of {@link listMetricsAgents}. */
export type ListMetricsAgentsResult = { ok: true; agents: string[] } | MetricsProblem;

/**
 * Agents that have a `.kaizen/metrics/<agent>/` folder, sorted by name. The
 * optimizer's folder, names that are not agent names, and symlinks (which
 * could lead outside the repository) are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listMetricsAgents, recordExecution } from "../../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   assert.deepEqual(await listMetricsAgents(repo), { ok: true, agents: [] });
 *   await recordExecution(repo, "coach", { success: true, time_seconds: 900, quality: 0.8 });
 *   assert.deepEqual(await listMetricsAgents(repo), { ok: true, agents: ["coach"] });
 *
 *   await Deno.remove(`${repo}/.kaizen/metrics`, { recursive: true });
 *   await Deno.writeTextFile(`${repo}/.kaizen/metrics`, "not a folder");
 *   const r = await listMetricsAgents(repo); // a refusal is a result, not a throw
 *   assert.equal(r.ok ? "listed" : r.code, "unsafe-path");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export function listMetricsAgents(root: string): Promise<ListMetricsAgentsResult> {
  return asMetricsResult(async () => ({ agents: await agentFolders(root) }));
}

/** {@link listMetricsAgents}'s work: a refusal is thrown as a `MetricsError`. */
async function agentFolders(root: string): Promise<string[]> {
  const at = await (await createSafeWriter(root)).locate(".kaizen/metrics");
  if (at.status === "refused") throw refusedError(at);
  if (!at.info) return [];
  if (!at.info.isDirectory) {
    throw refusedError({
      status: "refused",
      path: at.path,
      code: "not-regular",
      reason: ".kaizen/metrics is not a folder",
    });
  }
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(at.abs)) {
      if (e.isDirectory && e.name !== OPTIMIZER_FOLDER && AGENT_NAME_RE.test(e.name)) {
        names.push(e.name);
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return []; // removed while listing
    throw err;
  }
  // Code-unit order, not locale order: the same listing on every machine.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
