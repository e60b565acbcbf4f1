import { basename, dirname, join } from "./paths.ts";

/** Writes `data` to a fresh temporary sibling of `path`, returning its name. */
async function writeTemp(path: string, data: string | Uint8Array, mode: number): Promise<string> {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${Deno.pid}-${rand}`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  await Deno.writeFile(tmp, bytes, { mode, createNew: true });
  return tmp;
}

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
  const tmp = await writeTemp(path, data, options.mode ?? 0o644);
  try {
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Like {@link writeFileAtomic} but fails with `AlreadyExists` instead of
 * replacing, with no window in which two writers both "win".
 */
export async function writeFileAtomicNew(path: string, data: string | Uint8Array): Promise<void> {
  // Deno has no atomic "rename unless exists"; link(2) gives us exactly that.
  const tmp = await writeTemp(path, data, 0o644);
  try {
    await Deno.link(tmp, path);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
