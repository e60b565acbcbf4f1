/**
 * The roster slug of a repo: `--repo`, else `KAIZEN_REPO`, else the name of
 * the git remote's repository (read from `.git/config`, no git process), else
 * the directory name.
 *
 * @module
 */
import { basename } from "../fs/paths.ts";
import type { SafeReader } from "../fs/safe_read.ts";

/** Where the slug came from, for diagnostics. */
export type SlugSource = "flag" | "env" | "git-remote" | "directory";

/** Picks the repo slug by the documented precedence. */
export async function resolveRepoSlug(
  files: SafeReader,
  flag: string | undefined,
  env: (key: string) => string | undefined,
): Promise<{ slug: string; source: SlugSource }> {
  if (flag) return { slug: flag, source: "flag" };
  const fromEnv = env("KAIZEN_REPO");
  if (fromEnv) return { slug: fromEnv, source: "env" };
  const config = await files.readText(".git/config");
  if (config.status === "ok") {
    const name = remoteRepoName(config.text);
    if (name) return { slug: name, source: "git-remote" };
  }
  return { slug: basename(files.root), source: "directory" };
}

/**
 * The repository name of `origin` (else the first remote) in a git config:
 * `git@host:org/invoice-service.git` → `invoice-service`.
 */
export function remoteRepoName(configText: string): string | undefined {
  const remotes = new Map<string, string>();
  let current: string | undefined;
  for (const raw of configText.split("\n")) {
    const line = raw.trim();
    const section = /^\[remote\s+"([^"]+)"\]$/.exec(line);
    if (section) {
      current = section[1];
      continue;
    }
    if (line.startsWith("[")) {
      current = undefined;
      continue;
    }
    const url = /^url\s*=\s*(.+)$/.exec(line);
    if (current && url && !remotes.has(current)) remotes.set(current, url[1].trim());
  }
  const url = remotes.get("origin") ?? remotes.values().next().value;
  if (!url) return undefined;
  const name = url.replace(/[/\\]+$/, "").replace(/\.git$/, "").split(/[/:\\]/).pop();
  return name && /^[A-Za-z0-9._-]+$/.test(name) ? name : undefined;
}
