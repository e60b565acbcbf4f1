/**
 * Which agents exist for a target repo: the packaged prompts, plus prompts
 * installed in the repo at `agents/agent-<name>.md`, which shadow packaged
 * ones of the same name.
 *
 * @module
 */
import { PACKAGED_AGENTS } from "../../agents/packaged.ts";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { isInside, join } from "../fs/paths.ts";

/** Where an agent's prompt comes from. */
export type AgentSource = "installed" | "packaged";

/** One entry of the catalog. */
export interface AgentEntry {
  name: string;
  source: AgentSource;
  /** Absolute or target-relative path for installed prompts; `packaged:<name>` otherwise. */
  location: string;
}

/** Directory inside a target repo that holds installed prompts. */
export const INSTALLED_AGENTS_DIR = "agents";

/** The installed prompt path of `name` inside `target`. */
export function installedPromptPath(target: string, name: string): string {
  return join(target, INSTALLED_AGENTS_DIR, `agent-${name}.md`);
}

/** Names of the packaged agents, sorted. */
export function packagedAgentNames(): string[] {
  return Object.keys(PACKAGED_AGENTS).sort();
}

/** The packaged prompt of `name`, if any. */
export function packagedPrompt(name: string): string | undefined {
  return Object.hasOwn(PACKAGED_AGENTS, name) ? PACKAGED_AGENTS[name] : undefined;
}

/**
 * Names of prompts installed in `target` (empty when the folder is missing).
 *
 * The target is untrusted, so real paths decide: an `agents/` folder, or an
 * `agent-<name>.md`, that is a symlink leading out of the repository is not
 * followed, and only regular files count. Each skip is reported to `warn`.
 * The file-system calls are synchronous: none of them waits on another
 * process (readdir of a FIFO fails at once), and every command starts here.
 */
export function installedAgentNames(
  target: string,
  warn: (message: string) => void = () => {},
): Promise<string[]> {
  try {
    return Promise.resolve(installedAgentNamesSync(target, warn));
  } catch (err) {
    return Promise.reject(err);
  }
}

function installedAgentNamesSync(target: string, warn: (message: string) => void): string[] {
  const names: string[] = [];
  let root: string;
  let dir: string;
  try {
    root = Deno.realPathSync(target);
    dir = Deno.realPathSync(join(target, INSTALLED_AGENTS_DIR));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return names;
    }
    throw err;
  }
  if (!isInside(root, dir)) {
    warn(`${INSTALLED_AGENTS_DIR}/ leads outside the repository; its prompts are not used`);
    return names;
  }
  try {
    for (const e of Deno.readDirSync(dir)) {
      const m = /^agent-(.+)\.md$/.exec(e.name);
      if (!m || !AGENT_NAME_RE.test(m[1])) continue;
      if (e.isFile) {
        names.push(m[1]);
      } else if (e.isSymlink) {
        const rel = `${INSTALLED_AGENTS_DIR}/${e.name}`;
        try {
          const real = Deno.realPathSync(join(dir, e.name));
          if (!isInside(root, real)) warn(`${rel} leads outside the repository; not used`);
          else if (Deno.statSync(real).isFile) names.push(m[1]);
        } catch { /* dangling: no prompt */ }
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) && !(err instanceof Deno.errors.NotADirectory)) {
      throw err;
    }
  }
  return names.sort();
}

/**
 * The full catalog for `target`: installed entries shadow packaged ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agentCatalog } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${repo}/agents`);
 *   await Deno.writeTextFile(`${repo}/agents/agent-release.md`, "# Release agent\n");
 *   const catalog = await agentCatalog(repo);
 *   assert.deepEqual(catalog.map((a) => `${a.name}: ${a.source}`), [
 *     "coach: packaged",
 *     "optimization: packaged",
 *     "release: installed",
 *     "tdd-workflow: packaged",
 *   ]);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function agentCatalog(
  target: string,
  warn: (message: string) => void = () => {},
): Promise<AgentEntry[]> {
  const byName = new Map<string, AgentEntry>();
  for (const name of packagedAgentNames()) {
    byName.set(name, { name, source: "packaged", location: `packaged:${name}` });
  }
  for (const name of await installedAgentNames(target, warn)) {
    byName.set(name, { name, source: "installed", location: installedPromptPath(target, name) });
  }
  // Code-unit order, not localeCompare: names are ASCII, and the first
  // localeCompare call costs ~10 ms of ICU collator set-up.
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
