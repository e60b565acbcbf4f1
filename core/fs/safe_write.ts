/**
 * Contained, atomic writes into an untrusted target repository: the write
 * side of the door whose read side is {@link createSafeReader}.
 *
 * A committed symlink at `.kaizen/`, at an agent's folder or at a state file
 * could point anywhere the user can write. Every path is resolved one
 * segment at a time on real paths, folders are created one level at a time
 * and checked before anything is made inside them, and nothing is created,
 * replaced or appended to outside the repository's real root.
 *
 * Every operation answers `ok` or a {@link IoRefusal} (outside, not a
 * regular file, no space, read-only, permission, vanished) instead of
 * throwing, so each command renders the same one-line reasons and exits 1.
 *
 * Replacements go through a temporary sibling and a rename; a writer killed
 * between the two leaves a `.name.tmp-<pid>-<rand>` file, which the next
 * writer of the same file removes under the lock ({@link SafeWriter.cleanTemps}).
 *
 * @module
 */
import { type IoRefusal, ioRefusal, refusal } from "./io_error.ts";
import { type LockOptions, type LockOutcome, withFileLock } from "./lock.ts";
import { basename, dirname, isInside, join, normalize } from "./paths.ts";

/** A successful write: `path` is repo-relative, `abs` the real file written. */
export interface WriteOk {
  status: "ok";
  path: string;
  abs: string;
}

/** What every {@link SafeWriter} operation answers. */
export type WriteOutcome = WriteOk | IoRefusal;

/** Where a file inside the repository really is, for a write. */
export interface Located {
  status: "ok";
  path: string;
  /** Real absolute path of the file (a symlink inside the repo is followed). */
  abs: string;
  /** The file as it is now; undefined when it does not exist yet. */
  info?: Deno.FileInfo;
}

/** Write access to files inside one repository. */
export interface SafeWriter {
  /** Absolute, symlink-resolved repository root. */
  readonly root: string;
  /**
   * Resolves `rel` for writing, creating missing folders when `createDirs`
   * is set. With `noFollow`, a symlink at `rel` itself is answered as it is
   * (to be replaced, never written through).
   */
  locate(
    rel: string,
    options?: { createDirs?: boolean; noFollow?: boolean },
  ): Promise<Located | IoRefusal>;
  /** Creates the folder `rel` (and missing parents) inside the repository. */
  ensureDir(rel: string): Promise<WriteOutcome>;
  /**
   * Replaces (or creates) `rel` atomically, keeping an existing file's mode.
   * With `createNew`, answers `{ status: "exists" }` when the file is
   * already there, with no window in which two writers both win. With
   * `noFollow`, a symlink at `rel` is replaced by the file, not written through.
   */
  writeAtomic(
    rel: string,
    data: string | Uint8Array,
    options?: { mode?: number; createNew?: boolean; noFollow?: boolean },
  ): Promise<WriteOutcome | { status: "exists"; path: string }>;
  /**
   * Appends `data` to `rel` (created when missing). A failed append (a full
   * disk) is cut back to the file's previous end, so no torn line stays.
   */
  append(rel: string, data: string | Uint8Array): Promise<WriteOutcome>;
  /**
   * Runs `fn` holding the writer lock of `rel`: an OS advisory lock on the
   * folder that holds it (created when missing), so every state file of
   * that folder changes under one lock and no lock file is left around.
   */
  withLock<T>(rel: string, fn: () => Promise<T>, options?: LockOptions): Promise<LockOutcome<T>>;
  /**
   * Removes temporary files a killed writer of `rel` left behind (and a
   * stale `rel.lock` of an earlier kaizen version). Call it
   * holding `rel`'s lock: every live writer of `rel` holds it while its
   * temporary file exists, so any one found then is dead.
   */
  cleanTemps(rel: string): Promise<number>;
}

const encoder = new TextEncoder();

/** Age after which an earlier version's `<name>.lock` file was left by a killed writer. */
export const LEGACY_LOCK_STALE_MS = 30_000;

/** Temporary sibling names of `name`: `.name.tmp-<pid>-<rand>`. */
function tempPrefix(name: string): string {
  return `.${name}.tmp-`;
}

/**
 * Creates a {@link SafeWriter} for `root`, which must exist.
 *
 * @example
 * ```ts
 * const out = await createSafeWriter("/srv/widgets");
 * const r = await out.writeAtomic(".kaizen/metrics/coach/summary.json", "{}\n");
 * if (r.status === "refused") console.error(r.reason);
 * ```
 */
export async function createSafeWriter(root: string): Promise<SafeWriter> {
  const realRoot = await Deno.realPath(root);

  const locate = async (
    rel: string,
    options: { createDirs?: boolean; noFollow?: boolean } = {},
  ): Promise<Located | IoRefusal> => {
    const display = normalize(rel);
    if (rel.startsWith("/") || display.startsWith("..") || display === ".") {
      return refusal(display, "outside", `${display} is outside the repository`);
    }
    const parts = display.split("/");
    let dir = realRoot;
    for (let i = 0; i < parts.length; i++) {
      const isLast = i === parts.length - 1;
      const shown = parts.slice(0, i + 1).join("/");
      const next = join(dir, parts[i]);
      let info: Deno.FileInfo | undefined;
      try {
        info = await Deno.lstat(next);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) return ioRefusal(shown, "inspect", err);
      }
      if (!info) {
        if (isLast) return { status: "ok", path: display, abs: next };
        if (!options.createDirs) {
          return { status: "ok", path: display, abs: join(next, ...parts.slice(i + 1)) };
        }
        try {
          // One level at a time: `dir` is a real path inside the root.
          await Deno.mkdir(next);
        } catch (err) {
          // Another writer made it first: fine, it is checked below like any other.
          if (!(err instanceof Deno.errors.AlreadyExists)) return ioRefusal(shown, "create", err);
        }
        try {
          info = await Deno.lstat(next);
        } catch (err) {
          return ioRefusal(shown, "inspect", err);
        }
      }
      let real = next;
      if (isLast && options.noFollow && info.isSymlink) {
        return { status: "ok", path: display, abs: next, info };
      }
      if (info.isSymlink) {
        try {
          real = await Deno.realPath(next);
        } catch {
          // A dangling link would be written through, wherever it points.
          return refusal(display, "outside", `${shown} is a dangling symlink`);
        }
        if (!isInside(realRoot, real)) {
          return refusal(
            display,
            "outside",
            `${shown} is a symlink leading outside the repository`,
          );
        }
        try {
          info = await Deno.stat(real);
        } catch (err) {
          return ioRefusal(shown, "inspect", err);
        }
      }
      if (!isLast && !info.isDirectory) {
        return refusal(display, "not-regular", `${shown} is not a folder`);
      }
      if (isLast) {
        if (!info.isFile && !info.isDirectory) {
          return refusal(display, "not-regular", `${display} is not a regular file`);
        }
        return { status: "ok", path: display, abs: real, info };
      }
      dir = real;
    }
    return refusal(display, "outside", `${display} is not a path inside the repository`);
  };

  const locateFile = async (
    rel: string,
    createDirs: boolean,
    noFollow = false,
  ): Promise<Located | IoRefusal> => {
    const at = await locate(rel, { createDirs, noFollow });
    if (at.status === "refused") return at;
    if (at.info && !at.info.isFile && !(noFollow && at.info.isSymlink)) {
      return refusal(at.path, "not-regular", `${at.path} is not a regular file`);
    }
    return at;
  };

  const ensureDir = async (rel: string): Promise<WriteOutcome> => {
    const at = await locate(rel, { createDirs: true });
    if (at.status === "refused") return at;
    if (!at.info) {
      try {
        await Deno.mkdir(at.abs);
      } catch (err) {
        if (!(err instanceof Deno.errors.AlreadyExists)) return ioRefusal(at.path, "create", err);
      }
      return { status: "ok", path: at.path, abs: at.abs };
    }
    if (!at.info.isDirectory) {
      return refusal(at.path, "not-regular", `${at.path} is not a folder`);
    }
    return { status: "ok", path: at.path, abs: at.abs };
  };

  return {
    root: realRoot,
    locate,
    ensureDir,
    writeAtomic: async (rel, data, options = {}) => {
      const at = await locateFile(rel, true, options.noFollow);
      if (at.status === "refused") return at;
      if (options.createNew && at.info) return { status: "exists", path: at.path };
      const mode = options.mode ?? ((at.info?.isFile ? at.info.mode ?? 0o644 : 0o644) & 0o777);
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
      const tmp = join(dirname(at.abs), `${tempPrefix(basename(at.abs))}${Deno.pid}-${rand}`);
      try {
        await Deno.writeFile(tmp, bytes, { mode, createNew: true });
      } catch (err) {
        await Deno.remove(tmp).catch(() => {});
        return ioRefusal(at.path, "write", err);
      }
      try {
        if (options.createNew) {
          // Deno has no "rename unless exists"; link(2) is exactly that.
          await Deno.link(tmp, at.abs);
        } else {
          await Deno.rename(tmp, at.abs);
        }
      } catch (err) {
        await Deno.remove(tmp).catch(() => {});
        if (options.createNew && err instanceof Deno.errors.AlreadyExists) {
          return { status: "exists", path: at.path };
        }
        return ioRefusal(at.path, "replace", err);
      }
      if (options.createNew) await Deno.remove(tmp).catch(() => {});
      return { status: "ok", path: at.path, abs: at.abs };
    },
    append: async (rel, data) => {
      const at = await locateFile(rel, true);
      if (at.status === "refused") return at;
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      let file: Deno.FsFile;
      try {
        file = await Deno.open(at.abs, { append: true, create: true, write: true });
      } catch (err) {
        return ioRefusal(at.path, "open", err);
      }
      try {
        const info = await file.stat();
        // The file opened must be the one checked: a swap between the
        // check and the open (a FIFO, a link out) is refused.
        if (!info.isFile || (at.info && at.info.ino !== null && info.ino !== at.info.ino)) {
          return refusal(at.path, "not-regular", `${at.path} changed while it was opened`);
        }
        const before = info.size;
        try {
          let done = 0;
          while (done < bytes.length) done += await file.write(bytes.subarray(done));
        } catch (err) {
          // A full disk may have taken part of the line: cut back to the
          // previous end so the log never keeps a torn record.
          await file.truncate(before).catch(() => {});
          return ioRefusal(at.path, "append to", err);
        }
        return { status: "ok", path: at.path, abs: at.abs };
      } finally {
        file.close();
      }
    },
    withLock: async (rel, fn, options = {}) => {
      const dirRel = dirname(normalize(rel));
      const dir: WriteOutcome = dirRel === "."
        ? { status: "ok", path: ".", abs: realRoot }
        : await ensureDir(dirRel);
      if (dir.status === "refused") return dir;
      return await withFileLock(dir.abs, fn, { label: `the lock on ${dir.path}/`, ...options });
    },
    cleanTemps: async (rel) => {
      const at = await locate(rel);
      if (at.status === "refused") return 0;
      const dir = dirname(at.abs);
      const prefix = tempPrefix(basename(at.abs));
      const legacyLock = `${basename(at.abs)}.lock`;
      let removed = 0;
      try {
        for await (const e of Deno.readDir(dir)) {
          if (e.isFile && e.name === legacyLock) {
            // Earlier kaizen versions locked with an O_EXCL file next to the
            // target; one older than their stale limit was left by a killed
            // writer and means nothing to the kernel lock.
            const path = join(dir, e.name);
            const age = Date.now() - (Deno.statSync(path).mtime?.getTime() ?? Date.now());
            if (age > LEGACY_LOCK_STALE_MS) {
              await Deno.remove(path).then(() => removed++, () => {});
            }
            continue;
          }
          if (!e.isFile || !e.name.startsWith(prefix)) continue;
          const pid = Number(e.name.slice(prefix.length).split("-")[0]);
          if (pid === Deno.pid) continue; // ours, in flight
          await Deno.remove(join(dir, e.name)).then(() => removed++, () => {});
        }
      } catch { /* no folder yet: nothing left behind */ }
      return removed;
    },
  };
}
