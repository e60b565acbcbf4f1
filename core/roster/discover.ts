/**
 * `discoverScheduledRuns`: which (repo, agent) runs exist on this host, and
 * which are due. A repo is schedule-eligible when the roster lists it with a
 * reachable checkout on this host and that checkout carries a valid
 * `.kaizen/schedule.yml`; the hub's flag is only a pre-filter. Each repo is
 * judged on its own: one broken checkout never aborts the answer.
 *
 * @module
 */
import { KaizenError } from "../errors.ts";
import { formatDiagnostic } from "../diagnostics.ts";
import { loadSchedule } from "../manifest/load.ts";
import { DEFAULT_TIMEZONE } from "../manifest/constants.ts";
import { effectiveCron } from "../time/next_run.ts";
import { runsInWindow, type WindowRuns } from "../time/runs.ts";
import { formatUtc } from "../time/timezone.ts";
import { printable } from "../text/printable.ts";
import { shellQuote } from "../text/shell_quote.ts";
import { fetchHubRoster } from "./hub.ts";
import { scanRoster } from "./scan.ts";
import { duplicateSlugMessage, duplicateSlugs } from "./slug.ts";
import { MAX_DUE_AT, type RosterEntry, type RosterSourceKind } from "./types.ts";

export { MAX_DUE_AT };

/** Where the roster comes from. */
export type RosterSource =
  | { kind: "hub"; url: string; token?: string }
  | { kind: "roster-file"; path: string }
  | { kind: "scan"; dir: string; maxDepth?: number }
  | { kind: "entries"; entries: RosterEntry[] };

/** What to resolve. */
export interface DiscoverOptions {
  source: RosterSource;
  /** Selects `host_paths[host]` (`"*"` entries match every host). */
  host: string;
  domain?: string;
  agent?: string;
  /** Ask the hub for flagged repos only, and skip unflagged ones client-side too. */
  hubFilter?: boolean;
  /** Keep runs that fire inside `[start, end)`, with `due_at`. */
  due?: { start: Date; end: Date };
  /** Shift each run's due time by a per-(repo, agent) offset within this span. */
  scatterMs?: number;
  /** Repos checked at once (default 16). */
  concurrency?: number;
  /** Program name in `prepare_command` (default `kaizen`). */
  program?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  hubTimeoutMs?: number;
  /** Called as each repo's runs or skip are known (unsorted), e.g. for `--format jsonl`. */
  onItem?: (item: { run: ScheduledRun } | { skipped: SkippedRepo }) => void;
}

/** One (repo, agent) run. */
export interface ScheduledRun {
  repo: string;
  root: string;
  agent: string;
  cadence: string;
  cron: string;
  timezone: string;
  /**
   * `kaizen schedule prepare <agent> --target <root> --repo <slug>`, words
   * shell-quoted: the run announces the roster's slug, not the folder's name.
   */
  prepare_command: string;
  /**
   * With a due window: the first {@link MAX_DUE_AT} firings inside it (after
   * scatter), ascending, RFC 3339 UTC.
   */
  due_at?: string[];
  /** With a due window: how many firings there are in it, listed or not. */
  due_count?: number;
  /** With a due window: true when `due_at` lists fewer than `due_count`. */
  due_truncated?: boolean;
}

export type SkipReason =
  | "not-on-host"
  | "unreachable"
  | "invalid-path"
  | "no-manifest"
  | "invalid-manifest"
  | "hub-flag-off";

/** A repo that yields no run, and why. */
export interface SkippedRepo {
  repo: string;
  reason: SkipReason;
  detail?: string[];
}

/** The answer. */
export interface DiscoverResult {
  scheduled_runs: ScheduledRun[];
  skipped: SkippedRepo[];
  stats: {
    source: RosterSourceKind;
    host: string;
    repos: number;
    /** Repos left out by `domain` before anything was read. */
    filtered: number;
    eligible: number;
    runs: number;
    skipped: number;
    due_window: { start: string; end: string } | null;
    scatter_seconds: number;
    /** The most `due_at` instants listed per run ({@link MAX_DUE_AT}). */
    due_at_limit: number;
  };
}

/**
 * A roster source that failed as a whole (the hub, a roster file): no
 * answer (code `roster-source`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverScheduledRuns, RosterSourceError } from "../../mod.ts";
 *
 * const widgets = { slug: "acme/widgets", domain: null, host_paths: { "*": "/srv/widgets" } };
 * const twice = discoverScheduledRuns({
 *   source: { kind: "entries", entries: [widgets, widgets] }, // one slug, two entries
 *   host: "runner-1",
 * });
 * await assert.rejects(twice, (err) => {
 *   assert.ok(err instanceof RosterSourceError);
 *   assert.equal(err.code, "roster-source");
 *   assert.match(err.message, /acme\/widgets/);
 *   return true;
 * });
 * ```
 */
export class RosterSourceError extends KaizenError {
  override name = "RosterSourceError";
  constructor(message: string, cause?: unknown) {
    super("roster-source", message, cause !== undefined ? { cause } : {});
  }
}

async function loadRoster(opts: DiscoverOptions): Promise<RosterEntry[]> {
  const s = opts.source;
  if (s.kind === "entries") {
    const dups = duplicateSlugs(s.entries);
    if (dups.length > 0) throw new RosterSourceError(`roster: ${duplicateSlugMessage(dups)}`);
    return s.entries;
  }
  if (s.kind === "scan") return await scanRoster(s.dir, s.maxDepth);
  if (s.kind === "hub") {
    const { HubError } = await import("./hub.ts");
    try {
      return await fetchHubRoster({
        url: s.url,
        token: s.token,
        hubFilter: opts.hubFilter,
        domain: opts.domain,
        fetch: opts.fetch,
        signal: opts.signal,
        timeoutMs: opts.hubTimeoutMs,
      });
    } catch (err) {
      if (err instanceof HubError) throw new RosterSourceError(err.message, err);
      throw err;
    }
  }
  const { parseRosterFile, MAX_ROSTER_BYTES } = await import("./roster_file.ts");
  let text: string;
  try {
    const info = await Deno.stat(s.path);
    if (!info.isFile) {
      throw new RosterSourceError(`roster file ${printable(s.path, 300)} is not a regular file`);
    }
    if (info.size > MAX_ROSTER_BYTES) {
      throw new RosterSourceError(
        `roster file ${printable(s.path, 300)} is over ${MAX_ROSTER_BYTES} bytes`,
      );
    }
    text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(s.path));
  } catch (err) {
    if (err instanceof RosterSourceError) throw err;
    const why = err instanceof Deno.errors.NotFound ? "does not exist" : "cannot be read";
    throw new RosterSourceError(`roster file ${printable(s.path, 300)} ${why}`, err);
  }
  const parsed = parseRosterFile(text, s.path);
  if (!parsed.entries) {
    const first = parsed.diagnostics[0];
    const more = parsed.diagnostics.length - 1;
    throw new RosterSourceError(
      first
        ? formatDiagnostic(first, s.path) + (more > 0 ? ` (and ${more} more)` : "")
        : `roster file ${printable(s.path, 300)} is invalid`,
    );
  }
  return parsed.entries;
}

/**
 * A fleet repeats a handful of (cron, zone) pairs, and without scatter every
 * repo asks about the same window: each is computed once per process.
 * (Bounded: a cache that could grow without end is a leak.)
 */
const dueCache = new Map<string, WindowRuns>();

function dueRuns(cron: string, timezone: string, startMs: number, endMs: number): WindowRuns {
  const key = `${cron}\u0000${timezone}\u0000${startMs}\u0000${endMs}`;
  let hit = dueCache.get(key);
  if (!hit) {
    hit = runsInWindow(cron, timezone, new Date(startMs), new Date(endMs), MAX_DUE_AT);
    if (dueCache.size >= 256) dueCache.clear();
    dueCache.set(key, hit);
  }
  return hit;
}

/**
 * The command a runner executes for one run, in `schedule prepare`'s
 * canonical option order (agent, `--target`, `--repo`, then the rest; see
 * docs/bundle.md). `--repo` carries the roster's slug, so the bundle and the
 * `kaizen.schedule.prepared` event name the repo the way the hub does, not by
 * the checkout's folder. The roster knows nothing else that shapes a bundle.
 */
export function prepareCommand(program: string, agent: string, root: string, slug: string): string {
  return [
    program,
    "schedule",
    "prepare",
    shellQuote(agent),
    "--target",
    shellQuote(root),
    "--repo",
    shellQuote(slug),
  ].join(" ");
}

/** A checkout path a runner may use: absolute, no `..`, no control characters. */
function pathProblem(path: string): boolean {
  return path === "" || !path.startsWith("/") || path.split("/").includes("..") ||
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f]/.test(path);
}

async function judgeRepo(
  entry: RosterEntry,
  opts: DiscoverOptions,
): Promise<{ runs: ScheduledRun[] } | { skipped: SkippedRepo }> {
  const repo = entry.slug;
  const skip = (reason: SkipReason, detail?: string[]) => ({
    skipped: detail ? { repo, reason, detail } : { repo, reason },
  });
  if (opts.hubFilter && entry.kaizen_schedule_enabled !== true) return skip("hub-flag-off");
  // Own keys only: a host named `constructor` must not find an inherited function.
  const hp = entry.host_paths;
  const path = Object.hasOwn(hp, opts.host)
    ? hp[opts.host]
    : Object.hasOwn(hp, "*")
    ? hp["*"]
    : undefined;
  if (path === undefined) return skip("not-on-host");
  if (pathProblem(path)) return skip("invalid-path", [printable(path, 300)]);
  const loaded = await loadSchedule(path, { fullCatalog: false });
  if (!loaded.exists) {
    // No manifest found: is the checkout itself there? (Asked only now, so an
    // eligible repo costs no extra call.)
    try {
      if (!Deno.statSync(path).isDirectory) return skip("unreachable", ["not a directory"]);
    } catch (err) {
      return skip("unreachable", [
        err instanceof Deno.errors.NotFound ? "no such directory" : "cannot be read",
      ]);
    }
    return skip("no-manifest");
  }
  if (!loaded.schedule) {
    return skip(
      "invalid-manifest",
      loaded.diagnostics.map((d) => formatDiagnostic(d, loaded.file)),
    );
  }
  const timezone = loaded.schedule.timezone ?? DEFAULT_TIMEZONE;
  const program = opts.program ?? "kaizen";
  const runs: ScheduledRun[] = [];
  for (const [agent, s] of Object.entries(loaded.schedule.agents)) {
    if (!s.enabled || (opts.agent !== undefined && agent !== opts.agent)) continue;
    const { cron } = effectiveCron(s);
    const run: ScheduledRun = {
      repo,
      root: path,
      agent,
      cadence: s.cadence,
      cron,
      timezone,
      prepare_command: prepareCommand(program, agent, path, repo),
    };
    if (opts.due) {
      const offset = opts.scatterMs
        ? (await import("./scatter.ts")).scatterOffsetMs(repo, agent, opts.scatterMs)
        : 0;
      // Due when the shifted time falls in the window: fire + offset ∈ [start, end).
      // The first few are listed, the rest only counted: bounded whatever the window.
      const fires = dueRuns(
        cron,
        timezone,
        opts.due.start.getTime() - offset,
        opts.due.end.getTime() - offset,
      );
      if (fires.total === 0) continue;
      run.due_at = fires.runs.map((d) => formatUtc(new Date(d.getTime() + offset)));
      run.due_count = fires.total;
      run.due_truncated = fires.total > fires.runs.length;
    }
    runs.push(run);
  }
  return { runs };
}

/**
 * Resolves the roster against the checkouts on this host. Throws
 * {@link RosterSourceError} when the roster itself cannot be had (hub down,
 * hub garbage, invalid roster file); every per-repo problem is a `skipped`
 * entry instead.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { discoverScheduledRuns } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   await Deno.mkdir(`${repo}/.kaizen`);
 *   await Deno.writeTextFile(
 *     `${repo}/.kaizen/schedule.yml`,
 *     'version: "1"\nagents:\n  coach:\n    cadence: weekly\n' +
 *       "  tdd-workflow:\n    cadence: daily\n    enabled: false\n",
 *   );
 *   const r = await discoverScheduledRuns({
 *     source: {
 *       kind: "entries",
 *       entries: [
 *         { slug: "acme/widgets", domain: null, host_paths: { "runner-1": repo } },
 *         { slug: "acme/gadgets", domain: null, host_paths: { "runner-2": "/srv/gadgets" } },
 *       ],
 *     },
 *     host: "runner-1",
 *   });
 *   // The disabled agent and the other host's repo give no run.
 *   assert.deepEqual(r.scheduled_runs.map((run) => `${run.repo} ${run.agent} ${run.cron}`), [
 *     "acme/widgets coach 0 9 * * 1",
 *   ]);
 *   assert.equal(
 *     r.scheduled_runs[0].prepare_command,
 *     `kaizen schedule prepare coach --target ${repo} --repo acme/widgets`,
 *   );
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function discoverScheduledRuns(opts: DiscoverOptions): Promise<DiscoverResult> {
  const all = await loadRoster(opts);
  const entries = opts.domain === undefined ? all : all.filter((e) => e.domain === opts.domain);
  const runs: ScheduledRun[] = [];
  const skipped: SkippedRepo[] = [];
  let eligible = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < entries.length; i = next++) {
      const r = await judgeRepo(entries[i], opts);
      if ("skipped" in r) {
        skipped.push(r.skipped);
        opts.onItem?.({ skipped: r.skipped });
      } else {
        eligible++;
        for (const run of r.runs) {
          runs.push(run);
          opts.onItem?.({ run });
        }
      }
    }
  };
  const width = Math.max(1, Math.min(opts.concurrency ?? 16, 256));
  await Promise.all(Array.from({ length: Math.min(width, Math.max(1, entries.length)) }, worker));
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  runs.sort((a, b) => order(a.repo, b.repo) || order(a.agent, b.agent) || order(a.root, b.root));
  skipped.sort((a, b) => order(a.repo, b.repo) || order(a.reason, b.reason));
  return {
    scheduled_runs: runs,
    skipped,
    stats: {
      source: opts.source.kind === "entries" ? "roster-file" : opts.source.kind,
      host: opts.host,
      repos: all.length,
      filtered: all.length - entries.length,
      eligible,
      runs: runs.length,
      skipped: skipped.length,
      due_window: opts.due
        ? { start: formatUtc(opts.due.start), end: formatUtc(opts.due.end) }
        : null,
      scatter_seconds: Math.floor((opts.scatterMs ?? 0) / 1000),
      due_at_limit: MAX_DUE_AT,
    },
  };
}
