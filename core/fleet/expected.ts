/**
 * Where the expected runs come from:
 *
 * - the roster, resolved here exactly as `roster discover` resolves it (same
 *   sources, slugs and rules; needs the checkouts readable from this host);
 * - a saved answer of `roster discover --format json` (or `jsonl`), from a
 *   file or stdin, for a host that cannot read the checkouts;
 * - the stream: the latest `kaizen.fleet.roster.<host>` message of each
 *   runner host, which `kaizen fleet publish-roster` publishes there
 *   (`./roster_event.ts`).
 *
 * @module
 */
import type { ExpectedRun } from "./join.ts";
import { parseCron } from "../time/cron.ts";
import { isValidTimeZone } from "../time/timezone.ts";
import { printable } from "../text/printable.ts";
import { KaizenError } from "../errors.ts";

/** Expected runs and the repos that gave none. */
export interface ExpectedRuns {
  runs: ExpectedRun[];
  skipped: { repo: string; reason: string }[];
}

/** A runs file or roster message that cannot be used (code `expected-runs`); one printable line. */
export class ExpectedRunsError extends KaizenError {
  override name = "ExpectedRunsError";
  constructor(message: string, cause?: unknown) {
    super("expected-runs", message, cause !== undefined ? { cause } : {});
  }
}

/** The largest runs file read (a 10,000-repo fleet's discover JSON is a few MB). */
export const MAX_RUNS_BYTES = 64 * 1024 * 1024;

/**
 * One run as `roster discover` prints it, checked: a string repo and agent,
 * a cron the engine parses, a real zone. `where` names it in errors.
 */
export function checkRun(v: unknown, where: string): ExpectedRun {
  const o = (v !== null && typeof v === "object" ? v : {}) as Record<string, unknown>;
  const { repo, agent, cron, timezone } = o;
  if (typeof repo !== "string" || repo === "" || typeof agent !== "string" || agent === "") {
    throw new ExpectedRunsError(`${where}: a run needs a non-empty repo and agent`);
  }
  if (typeof cron !== "string" || !parseCron(cron).ok) {
    throw new ExpectedRunsError(
      `${where}: run ${printable(repo, 60)}/${printable(agent, 40)} has no valid cron`,
    );
  }
  if (typeof timezone !== "string" || !isValidTimeZone(timezone)) {
    throw new ExpectedRunsError(
      `${where}: run ${printable(repo, 60)}/${printable(agent, 40)} has no valid timezone`,
    );
  }
  const scatter = o.scatter_seconds;
  return {
    repo,
    agent,
    cron,
    timezone,
    ...(typeof scatter === "number" && Number.isSafeInteger(scatter) && scatter > 0
      ? { offsetMs: scatter * 1000 }
      : {}),
  };
}

/**
 * Reads the text of `roster discover --format json` (one object with
 * `scheduled_runs` and `skipped`) or `--format jsonl` (one object per line).
 *
 * @example
 * ```ts
 * parseRunsText('{"scheduled_runs":[{"repo":"web","agent":"coach","cron":"0 9 * * 1","timezone":"UTC"}],"skipped":[]}', "runs.json");
 * ```
 */
export function parseRunsText(text: string, where: string): ExpectedRuns {
  const runs: ExpectedRun[] = [];
  const skipped: ExpectedRuns["skipped"] = [];
  const addSkipped = (s: unknown) => {
    const o = (s ?? {}) as Record<string, unknown>;
    if (typeof o.repo === "string" && typeof o.reason === "string") {
      skipped.push({ repo: o.repo, reason: o.reason });
    }
  };
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) {
    const o = whole as Record<string, unknown>;
    if (whole === null || typeof whole !== "object" || !Array.isArray(o.scheduled_runs)) {
      throw new ExpectedRunsError(
        `${where}: not the output of 'roster discover --format json' (no scheduled_runs list)`,
      );
    }
    o.scheduled_runs.forEach((r, i) => runs.push(checkRun(r, `${where}: scheduled_runs[${i}]`)));
    if (Array.isArray(o.skipped)) o.skipped.forEach(addSkipped);
    return { runs, skipped };
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch {
      throw new ExpectedRunsError(`${where}:${i + 1}: not JSON`);
    }
    if (o?.scheduled_run !== undefined) runs.push(checkRun(o.scheduled_run, `${where}:${i + 1}`));
    else if (o?.skipped !== undefined) addSkipped(o.skipped);
  }
  return { runs, skipped };
}

/** Reads a runs file (`-` for stdin), at most {@link MAX_RUNS_BYTES}. */
export async function readRunsFile(path: string): Promise<ExpectedRuns> {
  const shown = path === "-" ? "stdin" : printable(path, 300);
  let bytes: Uint8Array;
  try {
    if (path === "-") {
      bytes = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
    } else {
      const info = await Deno.stat(path);
      if (!info.isFile) throw new ExpectedRunsError(`runs file ${shown} is not a regular file`);
      if (info.size > MAX_RUNS_BYTES) {
        throw new ExpectedRunsError(`runs file ${shown} is over ${MAX_RUNS_BYTES} bytes`);
      }
      bytes = await Deno.readFile(path);
    }
  } catch (err) {
    if (err instanceof ExpectedRunsError) throw err;
    const why = err instanceof Deno.errors.NotFound ? "does not exist" : "cannot be read";
    throw new ExpectedRunsError(`runs file ${shown} ${why}`);
  }
  if (bytes.length > MAX_RUNS_BYTES) {
    throw new ExpectedRunsError(`runs from ${shown} are over ${MAX_RUNS_BYTES} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ExpectedRunsError(`runs file ${shown} is not UTF-8`);
  }
  return parseRunsText(text, shown);
}
