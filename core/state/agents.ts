/**
 * The agents a repository can use, and installing a packaged prompt into it
 * (`agents/agent-<name>.md`) so a team can adapt it.
 *
 * Like the other state modules this answers with data, an `ok` value or a
 * coded {@link AgentProblem}, and never prints: the CLI renders at its edge.
 *
 * The target repository is untrusted. Installed prompts are read through the
 * same safe reader `prepare` uses, so `show` prints exactly the prompt a
 * bundle would carry; an install refuses an `agents/` folder whose real path
 * leaves the repository instead of writing through it.
 *
 * @module
 */
import {
  agentCatalog,
  INSTALLED_AGENTS_DIR,
  packagedAgentNames,
  packagedPrompt,
} from "../agents/catalog.ts";
import { sha256Hex } from "../bytes.ts";
import { type KaizenError, type KaizenErrorCode, type Problem, problemError } from "../errors.ts";
import { createSafeWriter } from "../fs/safe_write.ts";
import { createSafeReader } from "../fs/safe_read.ts";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { printable, stripControl } from "../text/printable.ts";
import { didYouMean } from "../text/suggest.ts";
import { eventHead } from "../events/payloads.ts";
import { AGENT_INSTALLED } from "../events/subjects.ts";
import type { AgentInstalled } from "../events/model.ts";
import { scaffoldMemory } from "./memory.ts";

/** Why an operation did not happen; `message` is ready to show a user. */
export type AgentProblemCode =
  /** Not a valid name, or no agent of that name (packaged or installed). */
  | "unknown-agent"
  /** `installAgent` was given an agent that exists only as an installed copy. */
  | "not-packaged"
  /** `installAgent` without `force` found a prompt already installed. */
  | "exists"
  /** A path leads outside the repository, is not what it should be, or cannot be used. */
  | "refused";

/** A coded, user-presentable reason (kaizen's one result vocabulary). */
export type AgentProblem = Problem<AgentProblemCode>;

/** Each problem's code in kaizen's one error vocabulary: exit codes and MCP answers follow. */
const ERROR_CODES: Readonly<Record<AgentProblemCode, KaizenErrorCode>> = {
  "unknown-agent": "unknown-agent",
  "not-packaged": "not-found",
  exists: "exists",
  refused: "io",
};

/**
 * A problem as kaizen's one error type, for a front end that answers with
 * an error: its exit code (1 for every agent problem) and its MCP answer
 * come from the one mapping in core/errors.ts, like every other error's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const err = agentError({ ok: false, code: "unknown-agent", message: "unknown agent 'x'" });
 * assert.equal(err.code, "unknown-agent");
 * assert.equal(err.exitCode, 1);
 * ```
 */
export function agentError(p: AgentProblem): KaizenError {
  return problemError(p, ERROR_CODES);
}

/** Where the prompt `prepare` uses comes from. */
export type ListedSource = "packaged" | "installed" | "both";

/** One row of {@link listAgents}; field names are the JSON output's. */
export interface AgentListing {
  name: string;
  /** `both`: an installed copy shadows a packaged prompt of the same name. */
  source: ListedSource;
  /** `packaged:<name>`, or the installed prompt relative to the root. */
  location: string;
  shadows_packaged: boolean;
  /**
   * For a shadowing copy, whether its text differs from the packaged prompt;
   * `null` when there is nothing to compare (or the copy could not be read).
   */
  differs_from_packaged: boolean | null;
}

/** Result of {@link readAgentPrompt}. */
export type ReadPromptResult =
  | {
    ok: true;
    name: string;
    origin: "installed" | "packaged";
    /** `packaged:<name>` or the installed prompt's repo-relative path. */
    location: string;
    /** The prompt, control characters stripped (it may go to a terminal). */
    text: string;
  }
  | AgentProblem;

/** Result of {@link installAgent}. */
export type InstallAgentResult =
  | {
    ok: true;
    agent: string;
    /** Installed prompt, relative to the repository root. */
    path: string;
    /** Real (symlink-resolved) repository root. */
    root: string;
    /** Hex SHA-256 of the bytes written. */
    sha256: string;
    /** An earlier installed copy was overwritten (`force`). */
    replaced: boolean;
    /** When the install happened (UTC, RFC 3339). */
    occurred_at: string;
    /** The memory file: scaffolded now, kept as it was, or why neither. */
    memory:
      | { status: "created"; path: string }
      | { status: "kept"; path: string }
      | { status: "failed"; message: string };
  }
  | AgentProblem;

/** Repo-relative path of an installed prompt. */
export function installedRel(name: string): string {
  return `${INSTALLED_AGENTS_DIR}/agent-${name}.md`;
}

/** How messages name the `force` option (the CLI says `--force`). */
const FORCE = "the force option";

function problem(code: AgentProblemCode, message: string): AgentProblem {
  return { ok: false, code, message };
}

function errName(err: unknown): string {
  return err instanceof Error ? err.name : "error";
}

function unknownAgent(name: string, known: string[]): AgentProblem {
  return problem(
    "unknown-agent",
    `unknown agent '${printable(name)}'${didYouMean(name, known)}; known agents: ${
      known.join(", ") || "(none)"
    }`,
  );
}

/**
 * Every agent the repository can use, sorted by name: packaged ones, installed
 * ones, and for an installed copy that shadows a packaged prompt whether its
 * text differs. Skipped installed prompts (symlinks out of the repo) are
 * reported to `warn`, as `prepare` would.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installAgent, listAgents } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const before = await listAgents(repo);
 *   assert.deepEqual(before.map((a) => `${a.name}: ${a.source}`), [
 *     "coach: packaged",
 *     "optimization: packaged",
 *     "tdd-workflow: packaged",
 *   ]);
 *   await installAgent(repo, "coach");
 *   const [coach] = await listAgents(repo);
 *   assert.equal(coach.source, "both"); // the installed copy shadows the packaged prompt
 *   assert.equal(coach.differs_from_packaged, false);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function listAgents(
  root: string,
  warn: (message: string) => void = () => {},
): Promise<AgentListing[]> {
  const catalog = await agentCatalog(root, warn);
  let files: Awaited<ReturnType<typeof createSafeReader>> | undefined;
  const rows: AgentListing[] = [];
  for (const entry of catalog) {
    const packaged = packagedPrompt(entry.name);
    if (entry.source === "packaged") {
      rows.push({
        name: entry.name,
        source: "packaged",
        location: entry.location,
        shadows_packaged: false,
        differs_from_packaged: null,
      });
      continue;
    }
    const rel = installedRel(entry.name);
    let differs: boolean | null = null;
    if (packaged !== undefined) {
      files ??= await createSafeReader(root);
      const read = await files.readText(rel);
      if (read.status === "ok") differs = read.text !== packaged;
      else if (read.status === "refused") warn(`${rel} not compared: ${read.reason}`);
    }
    rows.push({
      name: entry.name,
      source: packaged === undefined ? "installed" : "both",
      location: rel,
      shadows_packaged: packaged !== undefined,
      differs_from_packaged: differs,
    });
  }
  return rows;
}

/**
 * The prompt `prepare` would use for `name`: the installed copy when it can
 * be read, else the packaged prompt (a refused copy is reported to `warn`,
 * the same fallback the bundle's prompt section makes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAgentPrompt } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const packaged = await readAgentPrompt(repo, "coach");
 *   assert.ok(packaged.ok);
 *   assert.equal(packaged.location, "packaged:coach");
 *
 *   await Deno.mkdir(`${repo}/agents`);
 *   await Deno.writeTextFile(`${repo}/agents/agent-coach.md`, "# Coach\n\nOur own coach.\n");
 *   const ours = await readAgentPrompt(repo, "coach");
 *   assert.ok(ours.ok);
 *   assert.equal(ours.origin, "installed");
 *   assert.equal(ours.text, "# Coach\n\nOur own coach.\n");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function readAgentPrompt(
  root: string,
  name: string,
  warn: (message: string) => void = () => {},
): Promise<ReadPromptResult> {
  const catalog = await agentCatalog(root, warn);
  const known = catalog.map((a) => a.name);
  const entry = catalog.find((a) => a.name === name);
  if (!AGENT_NAME_RE.test(name) || entry === undefined) return unknownAgent(name, known);
  const rel = installedRel(name);
  if (entry.source === "installed") {
    const read = await (await createSafeReader(root)).readText(rel);
    if (read.status === "ok") {
      return { ok: true, name, origin: "installed", location: rel, text: stripControl(read.text) };
    }
    if (read.status === "refused") warn(`${rel} not used: ${read.reason}`);
  }
  const packaged = packagedPrompt(name);
  if (packaged === undefined) {
    return problem("refused", `${rel} cannot be read, and '${name}' has no packaged prompt`);
  }
  return {
    ok: true,
    name,
    origin: "packaged",
    location: `packaged:${name}`,
    text: stripControl(packaged),
  };
}

/**
 * Copies the packaged prompt of `name` to `agents/agent-<name>.md` and
 * scaffolds the agent's memory file (an existing memory file is kept).
 *
 * Without `force` an installed prompt already there is left untouched, and
 * the creation is race-free (a copy written meanwhile is not replaced). The
 * write is atomic: a reader, `prepare` included, sees the old copy or the
 * new one, never half. With `force` an existing `agent-<name>.md` symlink is
 * replaced by a regular file, never written through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { installAgent } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const r = await installAgent(repo, "coach", { now: new Date("2026-12-06T09:00:00Z") });
 *   assert.ok(r.ok);
 *   assert.equal(r.path, "agents/agent-coach.md");
 *   assert.equal(r.memory.status, "created"); // .kaizen/agents/coach/memory.md
 *   assert.match(await Deno.readTextFile(`${repo}/agents/agent-coach.md`), /^# Coach/);
 *
 *   const again = await installAgent(repo, "coach"); // without force, the team's copy is kept
 *   assert.equal(again.ok ? "installed" : again.code, "exists");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function installAgent(
  root: string,
  name: string,
  options: { force?: boolean; now?: Date } = {},
): Promise<InstallAgentResult> {
  const packaged = AGENT_NAME_RE.test(name) ? packagedPrompt(name) : undefined;
  if (packaged === undefined) {
    const catalog = await agentCatalog(root);
    const packagedNames = packagedAgentNames();
    if (AGENT_NAME_RE.test(name) && catalog.some((a) => a.name === name)) {
      return problem(
        "not-packaged",
        `'${name}' is not a packaged agent (only packaged prompts can be installed); packaged agents: ${
          packagedNames.join(", ")
        }`,
      );
    }
    return problem(
      "unknown-agent",
      `unknown agent '${printable(name)}'${didYouMean(name, packagedNames)}; packaged agents: ${
        packagedNames.join(", ")
      }`,
    );
  }
  const now = options.now ?? new Date();
  let realRoot: string;
  try {
    realRoot = await Deno.realPath(root);
  } catch (err) {
    return problem("refused", `cannot resolve the repository root (${errName(err)})`);
  }
  const rel = installedRel(name);
  const writer = await createSafeWriter(realRoot);
  const exists = (): AgentProblem => ({
    ...problem("exists", `${rel} already exists; not overwriting (pass ${FORCE} to replace it)`),
    subject: FORCE,
    option: "force",
  });
  const bytes = new TextEncoder().encode(packaged);
  const out = await writer.withLock(rel, async (): Promise<boolean | AgentProblem> => {
    await writer.cleanTemps(rel);
    const at = await writer.locate(rel, { createDirs: true, noFollow: true });
    if (at.status === "refused") return problem("refused", at.reason);
    if (at.info && !options.force) return exists();
    if (at.info?.isDirectory) return problem("refused", `${rel} is a directory`);
    // With force, a symlinked copy is replaced by a regular file, never
    // written through (wherever it points).
    const w = await writer.writeAtomic(rel, bytes, {
      createNew: !options.force,
      mode: 0o644,
      noFollow: true,
    });
    if (w.status === "exists") return exists();
    if (w.status === "refused") return problem("refused", w.reason);
    return at.info !== undefined;
  });
  if (out.status === "refused") return problem("refused", out.reason);
  if (typeof out.value !== "boolean") return out.value;
  const replaced = out.value;

  const mem = await scaffoldMemory(realRoot, name, { force: false });
  const memory: Extract<InstallAgentResult, { ok: true }>["memory"] = mem.ok
    ? { status: "created", path: mem.path }
    : mem.code === "exists" && mem.path !== undefined
    ? { status: "kept", path: mem.path }
    : { status: "failed", message: mem.message };

  return {
    ok: true,
    agent: name,
    path: rel,
    root: realRoot,
    sha256: await sha256Hex(bytes),
    replaced,
    // Without milliseconds when they are zero, as metrics records are dated.
    occurred_at: now.toISOString().replace(/\.000Z$/, "Z"),
    memory,
  };
}

/** The `kaizen.agent.installed` v1 payload for an install. */
export function agentInstalled(
  { agent, occurred_at, path, sha256, replaced }: Extract<InstallAgentResult, { ok: true }>,
  where: { repo: string; root: string },
): AgentInstalled {
  return { ...eventHead(AGENT_INSTALLED, occurred_at, where, agent), path, sha256, replaced };
}
