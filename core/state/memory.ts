/**
 * An agent's project memory (`.kaizen/agents/<agent>/memory.md`): scaffold,
 * read, and append dated notes. See `docs/adr/0001-memory-notes.md`.
 *
 * Everything here takes the repository root and answers with data — an
 * `ok` value or a coded {@link MemoryProblem} — and never prints, so the CLI
 * and a future MCP server share one implementation and render problems at
 * their own edge.
 *
 * The target repository is untrusted: a committed symlink at `.kaizen/`, at
 * the agent's folder or at `memory.md` could point anywhere the user can
 * write. Real paths decide, and nothing is created or written outside the
 * repository's real root.
 *
 * @module
 */
import { agentCatalog } from "../agents/catalog.ts";
import { writeFileAtomic, writeFileAtomicNew } from "../fs/atomic.ts";
import { isInside, join } from "../fs/paths.ts";
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

/** How long an append waits for another writer's lock before giving up. */
export const LOCK_TIMEOUT_MS = 5_000;

/**
 * A lock older than this is left over from a writer that died: appends hold
 * the lock for milliseconds, so 30 s is far beyond any live holder.
 */
export const STALE_LOCK_MS = 30_000;

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
  /** A path leads outside the repository, is not a regular file, or cannot be used. */
  | "refused"
  /** Another writer held the lock for longer than the timeout. */
  | "busy";

/** A coded, user-presentable reason. `path` is repo-relative. */
export interface MemoryProblem {
  ok: false;
  code: MemoryProblemCode;
  message: string;
  path?: string;
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
    /** The exact text appended, ending in a newline. */
    entry: string;
    /** True when the file did not exist and was created with the template. */
    created: boolean;
    /** Size of the file after the append, in bytes. */
    bytes: number;
  }
  | MemoryProblem;

/** Tuning knobs for {@link appendMemoryNote}; tests shorten the waits. */
export interface AppendOptions {
  lockTimeoutMs?: number;
  staleLockMs?: number;
}

/** Result of {@link cleanNote}. */
export type CleanNoteResult = { ok: true; text: string; redactions: number } | MemoryProblem;

const encoder = new TextEncoder();

function problem(code: MemoryProblemCode, message: string, path?: string): MemoryProblem {
  return path === undefined ? { ok: false, code, message } : { ok: false, code, message, path };
}

/**
 * The starting content of a memory file: what belongs here and what an
 * entry looks like. The example is a format description, not a dated line,
 * so a reader never mistakes it for a real lesson.
 *
 * @example
 * ```ts
 * memoryTemplate("coach").startsWith("# Memory: coach\n"); // true
 * ```
 */
export function memoryTemplate(agent: string): string {
  return [
    `# Memory: ${agent}`,
    "",
    `Lessons earlier \`${agent}\` sessions learned about this repository. The next`,
    "scheduled session reads this file in its bundle; entries are oldest first, and when a",
    "token budget trims the file the oldest lines go first.",
    "",
    "Worth writing down: conventions, commands that work (and ones that do not), traps,",
    "decisions and their reasons, open threads for the next session. One lesson per entry,",
    "short and specific. Not here: secrets (they are redacted anyway), long logs, anything",
    "the README already says.",
    "",
    `Add entries with \`kaizen memory add ${agent} "<note>"\`. Each is one list item,`,
    "`- YYYY-MM-DD: <note>` (UTC date), with further lines of a note indented two spaces.",
    "",
    "## Notes",
    "",
    "",
  ].join("\n");
}

/**
 * Formats one entry: `- YYYY-MM-DD: <first line>`, further lines indented
 * two spaces so the whole note stays one Markdown list item. `note` must
 * already be cleaned ({@link cleanNote}).
 *
 * @example
 * ```ts
 * formatEntry("use deno task test\nnot deno test", new Date("2026-11-22T10:00:00Z"));
 * // "- 2026-11-22: use deno task test\n  not deno test\n"
 * ```
 */
export function formatEntry(note: string, now: Date): string {
  const date = now.toISOString().slice(0, 10);
  const [first, ...rest] = note.split("\n");
  // Blank lines stay empty (no trailing spaces) yet keep the item going.
  const more = rest.map((line) => (line === "" ? "" : `  ${line}`));
  return [`- ${date}: ${first}`, ...more].join("\n") + "\n";
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

/** Where the memory file really is, after every containment check. */
interface Located {
  /** Repo-relative path, for messages. */
  rel: string;
  /** Absolute path to read and write: the file itself, never through a link outside. */
  file: string;
  /** Whether the file exists (as a regular file). */
  exists: boolean;
}

/**
 * Resolves the memory file of `agent` inside `root`, creating the folders
 * on the way when `create` is set. Each folder is checked on its real path
 * before anything is made inside it, so a `.kaizen` symlinked out of the repo
 * is refused rather than written through. A memory file that is a symlink is
 * followed only to a regular file inside the repository.
 */
async function locate(
  root: string,
  agent: string,
  create: boolean,
): Promise<Located | MemoryProblem> {
  const rel = memoryPath(agent);
  let realRoot: string;
  try {
    realRoot = await Deno.realPath(root);
  } catch (err) {
    return problem("refused", `cannot resolve the repository root (${errName(err)})`, rel);
  }
  const segments = rel.split("/");
  const fileName = segments.pop()!;
  let dir = realRoot;
  for (const [i, seg] of segments.entries()) {
    const next = join(dir, seg);
    let real: string | undefined;
    try {
      real = await Deno.realPath(next);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        return problem("refused", `cannot resolve ${shown(realRoot, next)} (${errName(err)})`, rel);
      }
      // Missing, or a dangling symlink: realPath cannot tell them apart.
      if (await Deno.lstat(next).then(() => true, () => false)) {
        // Either dangling, or a folder a concurrent writer made just now.
        real = await Deno.realPath(next).catch(() => undefined);
        if (real === undefined) {
          return problem("refused", `${shown(realRoot, next)} is a dangling symlink`, rel);
        }
      } else {
        if (!create) return { rel, file: join(dir, ...segments.slice(i), fileName), exists: false };
        try {
          // One level at a time: `dir` is a real path inside the root.
          await Deno.mkdir(next);
        } catch (mkErr) {
          if (!(mkErr instanceof Deno.errors.AlreadyExists)) {
            return problem(
              "refused",
              `cannot create ${shown(realRoot, next)} (${errName(mkErr)})`,
              rel,
            );
          }
        }
        real = await Deno.realPath(next).catch(() => undefined);
        if (real === undefined) {
          return problem("refused", `${shown(realRoot, next)} is a dangling symlink`, rel);
        }
      }
    }
    if (!isInside(realRoot, real)) {
      return problem("refused", `${shown(realRoot, next)} leads outside the repository`, rel);
    }
    const info = await Deno.stat(real).catch(() => undefined);
    if (!info?.isDirectory) {
      return problem("refused", `${shown(realRoot, next)} is not a directory`, rel);
    }
    dir = real;
  }
  const path = join(dir, fileName);
  let linkInfo: Deno.FileInfo;
  try {
    linkInfo = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { rel, file: path, exists: false };
    return problem("refused", `cannot stat ${rel} (${errName(err)})`, rel);
  }
  let file = path;
  if (linkInfo.isSymlink) {
    try {
      file = await Deno.realPath(path);
    } catch {
      return problem("refused", `${rel} is a dangling symlink`, rel);
    }
    if (!isInside(realRoot, file)) {
      return problem("refused", `${rel} is a symlink leading outside the repository`, rel);
    }
  }
  const info = await Deno.lstat(file).catch(() => undefined);
  if (!info?.isFile) return problem("refused", `${rel} is not a regular file`, rel);
  return { rel, file, exists: true };
}

function shown(realRoot: string, abs: string): string {
  return abs.startsWith(`${realRoot}/`) ? abs.slice(realRoot.length + 1) : abs;
}

function errName(err: unknown): string {
  return err instanceof Error ? err.name : "error";
}

/**
 * Reads the memory file of `agent`. Control characters are stripped: the
 * text is meant for a terminal or a prompt, and the file is untrusted.
 */
export async function readMemory(root: string, agent: string): Promise<ReadMemoryResult> {
  const bad = await checkAgent(root, agent);
  if (bad) return bad;
  const where = await locate(root, agent, false);
  if ("ok" in where) return where;
  if (!where.exists) {
    return problem("missing", `${where.rel} does not exist`, where.rel);
  }
  const text = await readCapped(where);
  if (typeof text !== "string") return text;
  return { ok: true, path: where.rel, text: stripControl(text) };
}

async function readCapped(where: Located): Promise<string | MemoryProblem> {
  let info: Deno.FileInfo;
  let bytes: Uint8Array;
  try {
    info = await Deno.stat(where.file);
    // Checked before reading, so a huge file is never loaded whole.
    bytes = info.size > MAX_MEMORY_BYTES ? new Uint8Array() : await Deno.readFile(where.file);
  } catch (err) {
    return problem("refused", `cannot read ${where.rel} (${errName(err)})`, where.rel);
  }
  if (info.size > MAX_MEMORY_BYTES) {
    return problem(
      "refused",
      `${where.rel} is ${info.size} bytes, over the ${MAX_MEMORY_BYTES}-byte cap; trim its oldest entries`,
      where.rel,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    // Rewriting a file we could not decode would corrupt it.
    return problem("refused", `${where.rel} is not valid UTF-8 text`, where.rel);
  }
}

/**
 * Writes the template to the memory file of `agent`. Without `force` an
 * existing file is left untouched (and the creation is race-free: a file
 * written by someone else meanwhile is not replaced).
 */
export async function scaffoldMemory(
  root: string,
  agent: string,
  options: { force?: boolean } = {},
): Promise<ScaffoldMemoryResult> {
  const bad = await checkAgent(root, agent);
  if (bad) return bad;
  const where = await locate(root, agent, true);
  if ("ok" in where) return where;
  const exists = () =>
    problem(
      "exists",
      `${where.rel} already exists; not overwriting (pass --force to replace it)`,
      where.rel,
    );
  if (where.exists && !options.force) return exists();
  try {
    if (where.exists) await writeFileAtomic(where.file, memoryTemplate(agent));
    else await writeFileAtomicNew(where.file, memoryTemplate(agent));
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) {
      if (!options.force) return exists();
      await writeFileAtomic(where.file, memoryTemplate(agent));
      return { ok: true, path: where.rel, replaced: true };
    }
    return problem("refused", `cannot write ${where.rel} (${errName(err)})`, where.rel);
  }
  return { ok: true, path: where.rel, replaced: where.exists };
}

/**
 * Appends one dated entry to the memory file of `agent`, creating the file
 * with the template when it is missing. The note is cleaned and redacted
 * ({@link cleanNote}) before anything touches the disk, so a secret a session
 * saw is never persisted. Concurrent appends (other processes included) are
 * serialised by a lock file next to the memory file; the file itself is
 * replaced atomically, so a reader or a crash never sees half an entry.
 *
 * @example
 * ```ts
 * const r = await appendMemoryNote("/srv/widgets", "coach", "CI needs `deno task bundle`", new Date());
 * if (r.ok && r.redactions > 0) console.error(`redacted ${r.redactions} secret(s)`);
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
  const where = await locate(root, agent, true);
  if ("ok" in where) return where;
  const entry = formatEntry(clean.text, now);

  const lockPath = `${where.file}.lock`;
  const lock = await acquireLock(
    lockPath,
    options.lockTimeoutMs ?? LOCK_TIMEOUT_MS,
    options.staleLockMs ?? STALE_LOCK_MS,
  );
  if (lock !== "acquired") {
    return lock === "busy"
      ? problem(
        "busy",
        `${where.rel} is locked by another writer (${where.rel}.lock); try again, or remove the lock if no kaizen process is running`,
        where.rel,
      )
      : problem("refused", `cannot create ${where.rel}.lock (${lock.reason})`, where.rel);
  }
  try {
    // Under the lock: look again, another writer may have created the file.
    const current = await locate(root, agent, false);
    if ("ok" in current) return current;
    let before = memoryTemplate(agent);
    let mode = 0o644;
    if (current.exists) {
      const text = await readCapped(current);
      if (typeof text !== "string") return text;
      before = withFinalNewline(text);
      mode = ((await Deno.stat(current.file)).mode ?? 0o644) & 0o777;
    }
    const after = before + entry;
    try {
      await writeFileAtomic(current.file, after, { mode });
    } catch (err) {
      return problem("refused", `cannot write ${current.rel} (${errName(err)})`, current.rel);
    }
    return {
      ok: true,
      path: current.rel,
      redactions: clean.redactions,
      entry,
      created: !current.exists,
      bytes: encoder.encode(after).length,
    };
  } finally {
    await Deno.remove(lockPath).catch(() => {});
  }
}

/**
 * Takes `path` as an exclusive lock (`O_CREAT|O_EXCL`, which every local
 * file system makes atomic), retrying with short jittered sleeps until
 * `timeoutMs`. A lock whose mtime is older than `staleMs` is broken.
 */
async function acquireLock(
  path: string,
  timeoutMs: number,
  staleMs: number,
): Promise<"acquired" | "busy" | { reason: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const f = await Deno.open(path, { createNew: true, write: true });
      try {
        // Who holds it, for a human looking at a leftover lock.
        await f.write(encoder.encode(`${Deno.pid} ${new Date().toISOString()}\n`));
      } finally {
        f.close();
      }
      return "acquired";
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) return { reason: errName(err) };
    }
    await breakIfStale(path, staleMs);
    if (Date.now() >= deadline) return "busy";
    await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 20)));
  }
}

async function breakIfStale(path: string, staleMs: number): Promise<void> {
  try {
    const info = await Deno.lstat(path);
    const age = Date.now() - (info.mtime?.getTime() ?? Date.now());
    if (age <= staleMs) return;
    // Look once more right before removing, so a lock another breaker just
    // re-took (fresh mtime, new inode) is not removed by mistake. The window
    // left is tiny, and only opens after a writer died holding the lock.
    const again = await Deno.lstat(path);
    if (again.ino === info.ino && again.mtime?.getTime() === info.mtime?.getTime()) {
      await Deno.remove(path);
    }
  } catch { /* gone already: the next attempt takes it */ }
}
