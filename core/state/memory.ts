/**
 * An agent's project memory (`.kaizen/agents/<agent>/memory.md`): scaffold,
 * read, and append dated notes. See `docs/adr/0001-memory-notes.md`.
 *
 * Everything here takes the repository root and answers with data — an
 * `ok` value or a coded {@link MemoryProblem} — and never prints, so the CLI
 * and the MCP server share one implementation and render problems at their
 * own edge.
 *
 * The target repository is untrusted: reads go through the safe reader
 * (size cap, inode check, deadline) and writes through the safe writer
 * (real paths, nothing created outside the repository, temp file + rename),
 * serialised by the kernel-held lock on the agent's folder.
 *
 * @module
 */
import { agentCatalog } from "../agents/catalog.ts";
import { type KaizenError, type KaizenErrorCode, type Problem, problemError } from "../errors.ts";
import { createDeadline, DEFAULT_DEADLINE_MS } from "../fs/deadline.ts";
import type { IoRefusal } from "../fs/io_error.ts";
import { type LockOptions, statFingerprint } from "../fs/lock.ts";
import { createSafeReader } from "../fs/safe_read.ts";
import { createSafeWriter, type SafeWriter } from "../fs/safe_write.ts";
import { AGENT_NAME_RE } from "../manifest/constants.ts";
import { redactSecrets } from "../redact/mod.ts";
import { printable, stripControl, withFinalNewline } from "../text/printable.ts";
import { didYouMean } from "../text/suggest.ts";
import { memoryPath } from "./layout.ts";

/** Largest note `appendMemoryNote` accepts, in UTF-8 bytes (before cleaning). */
export const MAX_NOTE_BYTES = 16 * 1024;

/**
 * Largest memory file an append will read and rewrite. Far above what a
 * bundle shows (the section keeps the newest lines under a budget); it only
 * stops a runaway or hostile file from being loaded whole into memory.
 */
export const MAX_MEMORY_BYTES = 4 * 1024 * 1024;

/** Why an operation did not happen; `message` is ready to show a user. */
export type MemoryProblemCode =
  /** Not a valid agent name, or not an agent this repository knows. */
  | "unknown-agent"
  /** The note is empty or too large (a usage error). */
  | "invalid-note"
  /** `scaffoldMemory` without `force` found a file already there. */
  | "exists"
  /** `readMemory` found no file. */
  | "missing"
  /**
   * A path leads outside the repository, is not a regular file, or cannot
   * be used (no space, read-only, permission, vanished).
   */
  | "refused"
  /** Another writer held the lock without making progress. */
  | "busy";

/** A coded, user-presentable reason (kaizen's one result vocabulary). */
export type MemoryProblem = Problem<MemoryProblemCode>;

/** Each problem's code in kaizen's one error vocabulary: exit codes and MCP answers follow. */
const ERROR_CODES: Readonly<Record<MemoryProblemCode, KaizenErrorCode>> = {
  "unknown-agent": "unknown-agent",
  "invalid-note": "invalid-input",
  exists: "exists",
  missing: "not-found",
  refused: "io",
  busy: "locked",
};

/**
 * A problem as kaizen's one error type, for a front end that answers with
 * an error: its exit code (`invalid-note` 2, the rest 1) and its MCP answer
 * come from the one mapping in core/errors.ts, like every other error's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const err = memoryError({ ok: false, code: "invalid-note", message: "the note is empty" });
 * assert.equal(err.code, "invalid-input");
 * assert.equal(err.exitCode, 2);
 * ```
 */
export function memoryError(p: MemoryProblem): KaizenError {
  return problemError(p, ERROR_CODES);
}

/** Result of {@link readMemory}. */
export type ReadMemoryResult = { ok: true; path: string; text: string } | MemoryProblem;

/** Result of {@link scaffoldMemory}. */
export type ScaffoldMemoryResult =
  | { ok: true; path: string; replaced: boolean }
  | MemoryProblem;

/** Result of {@link appendMemoryNote}. */
export type AppendMemoryResult =
  | {
    ok: true;
    /** Repo-relative path of the memory file. */
    path: string;
    /** How many secrets were replaced by `[REDACTED:<rule>]` markers. */
    redactions: number;
    /** The exact text appended (a date heading when the day is new, then the item). */
    entry: string;
    /** True when the file did not exist and was created with the template. */
    created: boolean;
    /** Size of the file after the append, in bytes. */
    bytes: number;
  }
  | MemoryProblem;

/** Tuning knobs for {@link appendMemoryNote}; tests shorten the waits. */
export interface AppendOptions {
  lock?: LockOptions;
}

/** Result of {@link cleanNote}. */
export type CleanNoteResult = { ok: true; text: string; redactions: number } | MemoryProblem;

const encoder = new TextEncoder();

/** How messages name the `force` option (the CLI says `--force`). */
const FORCE = "the force option";

function problem(code: MemoryProblemCode, message: string, path?: string): MemoryProblem {
  return path === undefined ? { ok: false, code, message } : { ok: false, code, message, path };
}

function refused(r: IoRefusal): MemoryProblem {
  return problem(r.code === "busy" ? "busy" : "refused", r.reason, r.path);
}

/**
 * The starting content of a memory file: its title and what belongs in it.
 * The convention (ADR 0001): `# Memory — <agent>`, then one `## YYYY-MM-DD`
 * section per day with one short list item per lesson, oldest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryTemplate } from "./memory.ts";
 *
 * assert.ok(memoryTemplate("coach").startsWith("# Memory — coach\n"));
 * ```
 */
export function memoryTemplate(agent: string): string {
  return [
    `# Memory — ${agent}`,
    "",
    `Lessons earlier \`${agent}\` sessions learned about this repository, oldest first: one`,
    "`## YYYY-MM-DD` section per day (UTC), one short list item per lesson. The next scheduled",
    "session reads this file in its bundle; under a token budget the oldest lines go first.",
    "Worth writing down: conventions, commands that work (and ones that do not), traps,",
    "decisions and their reasons, open threads. Not here: secrets (they are redacted anyway),",
    `long logs. Add lessons with \`kaizen memory add ${agent} "<lesson>"\`.`,
    "",
  ].join("\n");
}

/**
 * Formats one note as a list item: `- <first line>`, further lines indented
 * two spaces so the whole note stays one Markdown list item. `note` must
 * already be cleaned ({@link cleanNote}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatItem } from "./memory.ts";
 *
 * assert.equal(
 *   formatItem("use deno task test\nnot deno test"),
 *   "- use deno task test\n  not deno test\n",
 * );
 * ```
 */
export function formatItem(note: string): string {
  const [first, ...rest] = note.split("\n");
  // Blank lines stay empty (no trailing spaces) yet keep the item going.
  const more = rest.map((line) => (line === "" ? "" : `  ${line}`));
  return [`- ${first}`, ...more].join("\n") + "\n";
}

/** `## YYYY-MM-DD` (UTC) for `now`. */
export function dateHeading(now: Date): string {
  return `## ${now.toISOString().slice(0, 10)}`;
}

/**
 * What appending `note` to a memory file holding `text` adds: the item alone
 * when the file's last `##` section is today's, otherwise today's heading
 * and the item. Files in older shapes (`## Notes` with `- YYYY-MM-DD: …`
 * items) are left as they are and continue with a dated section.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entryFor } from "./memory.ts";
 *
 * const now = new Date("2026-12-06T09:00:00Z");
 * const first = entryFor("# Memory — coach\n", "ran fine", now);
 * assert.equal(first, "\n## 2026-12-06\n\n- ran fine\n");
 * // Under today's heading already: the item only.
 * assert.equal(entryFor("## 2026-12-06\n\n- ran fine\n", "and again", now), "- and again\n");
 * ```
 */
export function entryFor(text: string, note: string, now: Date): string {
  const heading = dateHeading(now);
  const item = formatItem(note);
  const last = text.split("\n").filter((l) => /^##\s/.test(l)).at(-1)?.trimEnd();
  if (last === heading) return item;
  const gap = text === "" || text.endsWith("\n\n") ? "" : "\n";
  return `${gap}${heading}\n\n${item}`;
}

/**
 * Makes a note safe to persist: refuses one over {@link MAX_NOTE_BYTES},
 * strips terminal control characters, trims surrounding blank space and
 * trailing spaces, refuses an empty result, and redacts secrets. Control
 * characters go before redaction, so one cannot split a token to hide it.
 */
export async function cleanNote(raw: string): Promise<CleanNoteResult> {
  const size = encoder.encode(raw).length;
  if (size > MAX_NOTE_BYTES) {
    return problem(
      "invalid-note",
      `the note is ${size} bytes, over the ${MAX_NOTE_BYTES}-byte limit; keep notes short`,
    );
  }
  const text = stripControl(raw)
    .split("\n")
    .map((line) => line.replace(/\s+$/, ""))
    .join("\n")
    .replace(/^\n+|\n+$/g, "")
    .replace(/^\s+/, "");
  if (text === "") return problem("invalid-note", "the note is empty");
  const redacted = await redactSecrets(text, { source: "memory.md" });
  return { ok: true, text: redacted.text, redactions: redacted.count };
}

/**
 * Checks that `agent` is a valid name and known for `root` (installed or
 * packaged). Answers `undefined` when it is, a problem with a did-you-mean
 * otherwise.
 */
export async function checkAgent(root: string, agent: string): Promise<MemoryProblem | undefined> {
  const known = (await agentCatalog(root)).map((a) => a.name);
  if (AGENT_NAME_RE.test(agent) && known.includes(agent)) return undefined;
  return problem(
    "unknown-agent",
    `unknown agent '${printable(agent)}'${didYouMean(agent, known)}; known agents: ${
      known.join(", ")
    }`,
  );
}

/**
 * The memory file's text through the safe reader, as raw as it is on disk
 * (a BOM dropped): `undefined` when there is none.
 */
async function readRaw(
  root: string,
  rel: string,
): Promise<{ text: string | undefined } | MemoryProblem> {
  let reader;
  try {
    reader = await createSafeReader(
      root,
      MAX_MEMORY_BYTES,
      createDeadline(DEFAULT_DEADLINE_MS),
    );
  } catch (err) {
    return problem("refused", `cannot open the repository (${errName(err)})`, rel);
  }
  const r = await reader.readText(rel);
  if (r.status === "missing") return { text: undefined };
  if (r.status === "refused") {
    const hint = /over the \d+-byte cap/.test(r.reason) ? "; trim its oldest entries" : "";
    return problem("refused", `${rel} not read: ${r.reason}${hint}`, rel);
  }
  return { text: r.text.replace(/^\uFEFF/, "") };
}

function errName(err: unknown): string {
  return err instanceof Error ? err.name : "error";
}

/**
 * Reads the memory file of `agent`. Control characters are stripped: the
 * text is meant for a terminal or a prompt, and the file is untrusted.
 * Secrets are not redacted here: every front end redacts what it prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendMemoryNote, readMemory } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const none = await readMemory(repo, "coach");
 *   assert.equal(none.ok ? "read" : none.code, "missing");
 *
 *   const at = new Date("2026-12-01T10:00:00Z");
 *   await appendMemoryNote(repo, "coach", "Releases are cut on Tuesdays", at);
 *   const memory = await readMemory(repo, "coach");
 *   assert.ok(memory.ok);
 *   assert.match(memory.text, /## 2026-12-01\n\n- Releases are cut on Tuesdays\n/);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function readMemory(root: string, agent: string): Promise<ReadMemoryResult> {
  const bad = await checkAgent(root, agent);
  if (bad) return bad;
  const rel = memoryPath(agent);
  const got = await readRaw(root, rel);
  if ("ok" in got) return got;
  if (got.text === undefined) return problem("missing", `${rel} does not exist`, rel);
  return { ok: true, path: rel, text: stripControl(got.text) };
}

async function writerFor(root: string, rel: string): Promise<SafeWriter | MemoryProblem> {
  try {
    return await createSafeWriter(root);
  } catch (err) {
    return problem("refused", `cannot resolve the repository root (${errName(err)})`, rel);
  }
}

/**
 * Writes the template to the memory file of `agent`. Without `force` an
 * existing file is left untouched (and the creation is race-free: a file
 * written by someone else meanwhile is not replaced).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scaffoldMemory } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const made = await scaffoldMemory(repo, "coach");
 *   assert.deepEqual(made, { ok: true, path: ".kaizen/agents/coach/memory.md", replaced: false });
 *   const again = await scaffoldMemory(repo, "coach"); // an existing file is kept
 *   assert.equal(again.ok ? "written" : again.code, "exists");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function scaffoldMemory(
  root: string,
  agent: string,
  options: { force?: boolean } = {},
): Promise<ScaffoldMemoryResult> {
  const bad = await checkAgent(root, agent);
  if (bad) return bad;
  const rel = memoryPath(agent);
  const writer = await writerFor(root, rel);
  if ("ok" in writer) return writer;
  const exists = (): MemoryProblem => ({
    ...problem(
      "exists",
      `${rel} already exists; not overwriting (pass ${FORCE} to replace it)`,
      rel,
    ),
    subject: FORCE,
    option: "force",
  });
  const out = await writer.withLock(rel, async (): Promise<ScaffoldMemoryResult> => {
    await writer.cleanTemps(rel);
    const at = await writer.locate(rel);
    if (at.status === "refused") return refused(at);
    if (at.info && !options.force) return exists();
    const w = await writer.writeAtomic(rel, memoryTemplate(agent), {
      createNew: !options.force,
    });
    if (w.status === "exists") return exists();
    if (w.status === "refused") return refused(w);
    return { ok: true, path: rel, replaced: at.info !== undefined };
  });
  return out.status === "ok" ? out.value : refused(out);
}

/**
 * Appends one note to the memory file of `agent` under today's date
 * heading, creating the file with the template when it is missing. The note
 * is cleaned and redacted ({@link cleanNote}) before anything touches the
 * disk, so a secret a session saw is never persisted. Concurrent appends
 * (other processes included) queue on the kernel-held lock of the agent's
 * folder; the file is replaced atomically, so a reader or a crash never
 * sees half an entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendMemoryNote } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   const r = await appendMemoryNote(repo, "coach", "CI needs `deno task bundle`", new Date());
 *   assert.ok(r.ok);
 *   assert.equal(r.path, ".kaizen/agents/coach/memory.md");
 *   assert.equal(r.redactions, 0); // secrets in a note are redacted before it is written
 *
 *   const typo = await appendMemoryNote(repo, "coahc", "a lesson", new Date());
 *   assert.equal(typo.ok ? "written" : typo.code, "unknown-agent");
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function appendMemoryNote(
  root: string,
  agent: string,
  note: string,
  now: Date,
  options: AppendOptions = {},
): Promise<AppendMemoryResult> {
  const clean = await cleanNote(note);
  if (!clean.ok) return clean;
  const bad = await checkAgent(root, agent);
  if (bad) return bad;
  const rel = memoryPath(agent);
  const writer = await writerFor(root, rel);
  if ("ok" in writer) return writer;
  const at = await writer.locate(rel, { createDirs: true });
  if (at.status === "refused") return refused(at);

  const out = await writer.withLock(rel, async (): Promise<AppendMemoryResult> => {
    await writer.cleanTemps(rel);
    // Under the lock: read what the previous writer left.
    const got = await readRaw(writer.root, rel);
    if ("ok" in got) return got;
    const before = got.text === undefined ? memoryTemplate(agent) : withFinalNewline(got.text);
    const entry = entryFor(before, clean.text, now);
    const after = before + entry;
    const w = await writer.writeAtomic(rel, after);
    if (w.status !== "ok") return w.status === "refused" ? refused(w) : problem("refused", rel);
    return {
      ok: true,
      path: rel,
      redactions: clean.redactions,
      entry,
      created: got.text === undefined,
      bytes: encoder.encode(after).length,
    };
  }, { progress: statFingerprint(at.abs), ...options.lock });
  return out.status === "ok" ? out.value : refused(out);
}
