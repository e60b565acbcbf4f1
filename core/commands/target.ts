import { printable } from "../text/printable.ts";
import { CliError } from "../cli/io.ts";
import { resolve } from "../fs/paths.ts";
import { processEnv } from "../env.ts";

/** Resolves `--target` and checks it is an existing directory (exit 2 otherwise). */
export async function resolveTarget(target: unknown): Promise<string> {
  const raw = typeof target === "string" && target !== "" ? target : ".";
  // Quoted in errors: a folder name can hold escape sequences.
  const given = printable(raw, 300);
  const root = resolve(raw);
  try {
    const info = await Deno.stat(root);
    if (!info.isDirectory) throw new CliError(`--target '${given}' is not a directory`, 2);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof Deno.errors.NotFound) {
      throw new CliError(`--target '${given}' does not exist`, 2);
    }
    throw new CliError(`--target '${given}' cannot be read: ${(err as Error).message}`, 2);
  }
  return root;
}

/** Parses `--now` (ISO 8601) or returns the current time. */
export function resolveNow(now: unknown): Date {
  if (typeof now !== "string") return new Date();
  const d = new Date(now);
  if (!/^\d{4}-\d{2}-\d{2}/.test(now) || Number.isNaN(d.getTime())) {
    throw new CliError(
      `--now '${printable(now)}' is not an ISO 8601 date-time (e.g. 2026-11-23T08:00:00Z)`,
      2,
    );
  }
  // Zone rules before 1970 are partly guesswork in tzdata, and four-digit
  // years keep every printed time a plain RFC 3339 one.
  const year = d.getUTCFullYear();
  if (year < 1970 || year > 9998) {
    throw new CliError(`--now '${printable(now)}' must be between 1970 and 9998`, 2);
  }
  return d;
}

/** `--host NAME`, else this machine's hostname (exit 2 when it cannot be read). */
export function resolveHost(given: unknown): string {
  if (typeof given === "string" && given !== "") return given;
  try {
    return Deno.hostname();
  } catch {
    throw new CliError("cannot tell this machine's hostname; pass --host NAME", 2);
  }
}

/**
 * `--nats-url`, else `$NATS_URL`, else the default server; refused (exit 2)
 * when it is not a NATS URL. The URL module loads only for commands that
 * talk to NATS.
 */
export async function resolveNatsUrl(flag: string | undefined): Promise<string> {
  const url = await import("../nats/url.ts");
  const chosen = flag || processEnv("NATS_URL") || url.DEFAULT_NATS_URL;
  try {
    url.parseNatsUrl(chosen);
  } catch (err) {
    throw new CliError(printable((err as Error).message, 300), 2);
  }
  return chosen;
}
