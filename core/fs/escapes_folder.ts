/**
 * Whether a path stays inside a folder once symlinks are followed: the check
 * that keeps a repository's plugins file from running a command outside the
 * repository.
 *
 * @module
 */
import { dirname, isInside, normalize } from "./paths.ts";

/**
 * Where `path` really leads when that is outside `folder`, else undefined.
 * A string check is not enough: `.kaizen/tools` may be a committed symlink to
 * `/usr/bin`, so real paths are compared. A command that does not exist yet
 * is judged by its nearest existing ancestor (it fails later, when run).
 */
export function escapesFolder(folder: string, path: string): string | undefined {
  if (!isInside(folder, path)) return path;
  let realFolder: string;
  try {
    realFolder = Deno.realPathSync(folder);
  } catch {
    return folder;
  }
  for (let p = path; isInside(folder, p); p = dirname(p)) {
    let real: string;
    try {
      real = Deno.realPathSync(p);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
        // A dangling symlink still says where it points.
        try {
          const link = Deno.readLinkSync(p);
          const target = normalize(link.startsWith("/") ? link : `${dirname(p)}/${link}`);
          if (!isInside(realFolder, target) && !isInside(folder, target)) return target;
        } catch { /* not a symlink */ }
        continue;
      }
      return p;
    }
    return isInside(realFolder, real) ? undefined : real;
  }
  return undefined;
}
