import { basename, dirname, join } from "./paths.ts";

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory,
 * then a rename, so readers never see half a file and a crash leaves the old
 * content in place.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { mode?: number } = {},
): Promise<void> {
  const dir = dirname(path);
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const tmp = join(dir, `.${basename(path)}.tmp-${Deno.pid}-${rand}`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    await Deno.writeFile(tmp, bytes, { mode: options.mode ?? 0o644, createNew: true });
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Like {@link writeFileAtomic} but fails with `AlreadyExists` instead of replacing. */
export async function writeFileAtomicNew(path: string, data: string | Uint8Array): Promise<void> {
  // Deno has no atomic "rename unless exists"; link(2) gives us exactly that.
  const dir = dirname(path);
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const tmp = join(dir, `.${basename(path)}.tmp-${Deno.pid}-${rand}`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    await Deno.writeFile(tmp, bytes, { mode: 0o644, createNew: true });
    await Deno.link(tmp, path);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
