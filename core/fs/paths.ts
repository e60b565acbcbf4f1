/**
 * Minimal POSIX path helpers.
 *
 * `node:path` would pull Deno's Node compatibility layer into every command's
 * start-up (≈ +30 ms measured, more than the rest of `schedule validate`), and
 * runner hosts are POSIX, so the handful of operations we need live here.
 *
 * @module
 */

/** Joins path segments and normalises the result. */
export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== "").join("/"));
}

/** Resolves `path` against `base` (default: the current directory) to an absolute path. */
export function resolve(path: string, base?: string): string {
  // The current directory is asked for only when it is needed (a syscall).
  return normalize(path.startsWith("/") ? path : `${base ?? Deno.cwd()}/${path}`);
}

const ABNORMAL = /\/\/|(?:^|\/)\.\.?(?:\/|$)|.\/$/;

/** Collapses `.`, `..` and repeated slashes. Keeps a leading `/`. */
export function normalize(path: string): string {
  if (path === "") return ".";
  // Already normal (no empty, `.` or `..` segment, no trailing slash): the
  // common case, and the roster resolver joins paths for thousands of repos.
  if (!ABNORMAL.test(path)) return path;
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined || ".";
}

/** The directory part of a path. */
export function dirname(path: string): string {
  const p = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return p.slice(0, i);
}

/** The last segment of a path. */
export function basename(path: string): string {
  const p = path.length > 1 ? path.replace(/\/+$/, "") : path;
  return p.slice(p.lastIndexOf("/") + 1);
}

/** True when absolute `child` is `parent` or lies below it. */
export function isInside(parent: string, child: string): boolean {
  const p = normalize(parent);
  const c = normalize(child);
  return c === p || c.startsWith(p === "/" ? "/" : `${p}/`);
}

/** Path of `to` relative to `from` (both absolute). */
export function relative(from: string, to: string): string {
  const a = normalize(from).split("/").filter(Boolean);
  const b = normalize(to).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const up = a.slice(i).map(() => "..");
  return [...up, ...b.slice(i)].join("/") || ".";
}
