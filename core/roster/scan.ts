/**
 * `--scan DIR` as a roster source: every git checkout under DIR, no server
 * needed. A checkout is a folder holding `.git` (a folder, or a file for
 * worktrees and submodules); the scan does not descend into one, nor into
 * hidden folders or `node_modules`, and never follows symlinks.
 *
 * @module
 */
import { join, resolve } from "../fs/paths.ts";
import { remoteRepoName } from "../repo/slug.ts";
import type { RosterEntry } from "./types.ts";

/** How deep below DIR checkouts are looked for (DIR itself is depth 0). */
export const DEFAULT_SCAN_DEPTH = 4;
/** A scan stops listing after this many folders, so a huge tree cannot stall it. */
const MAX_FOLDERS = 200_000;

async function gitSlug(dir: string, fallback: string): Promise<string> {
  try {
    const info = await Deno.lstat(join(dir, ".git/config"));
    if (info.isFile && info.size < 256 * 1024) {
      const name = remoteRepoName(await Deno.readTextFile(join(dir, ".git/config")));
      if (name) return name;
    }
  } catch { /* no config: the folder name */ }
  return fallback;
}

/** Checkouts under `dir`, sorted by path; each is on "every host" (`host_paths["*"]`). */
export async function scanRoster(
  dir: string,
  maxDepth = DEFAULT_SCAN_DEPTH,
): Promise<RosterEntry[]> {
  const root = resolve(dir);
  const found: string[] = [];
  let folders = 0;
  const walk = async (path: string, depth: number): Promise<void> => {
    if (++folders > MAX_FOLDERS) return;
    let entries: Deno.DirEntry[];
    try {
      entries = [];
      for await (const e of Deno.readDir(path)) entries.push(e);
    } catch {
      return; // unreadable folders hold no checkout we can prepare
    }
    if (entries.some((e) => e.name === ".git" && (e.isDirectory || e.isFile))) {
      found.push(path);
      return;
    }
    if (depth >= maxDepth) return;
    for (const e of entries) {
      if (!e.isDirectory || e.isSymlink || e.name.startsWith(".") || e.name === "node_modules") {
        continue;
      }
      await walk(join(path, e.name), depth + 1);
    }
  };
  await walk(root, 0);
  found.sort();
  const out: RosterEntry[] = [];
  for (const path of found) {
    const name = path.split("/").pop() || path;
    out.push({ slug: await gitSlug(path, name), domain: null, host_paths: { "*": path } });
  }
  return out;
}
