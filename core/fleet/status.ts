/**
 * `fleetStatus`: the schedule joined with what the event stream says
 * happened, for a window. The expected runs come from the roster (or a saved
 * `roster discover` answer, or the stream), the events from JetStream; the
 * report is plain data that the table, JSON and HTML renderers print.
 *
 * @module
 */
import { type DiscoverOptions, discoverScheduledRuns } from "../roster/discover.ts";
import { KaizenError } from "../errors.ts";
import { scatterOffsetMs } from "../roster/scatter.ts";
import { redactForOutput } from "../redact/output.ts";
import { stripControl } from "../text/printable.ts";
import { parseFleetMessage } from "./event.ts";
import { type ExpectedRuns, readRunsFile } from "./expected.ts";
import { type ExpectedRun, FleetJoin, readHorizon } from "./join.ts";
import type { FleetStatusReport } from "./types.ts";

/** Where the expected runs come from. */
export type ExpectedSource =
  /** Resolve the roster here, as `roster discover` does (no `due`). */
  | { kind: "roster"; discover: Omit<DiscoverOptions, "due" | "onItem"> }
  /** A saved `roster discover --format json|jsonl` answer; `-` reads stdin. */
  | { kind: "runs-file"; path: string }
  /** Runs given directly (library callers). */
  | { kind: "runs"; runs: ExpectedRun[] }
  /** The latest `kaizen.fleet.roster.<host>` message of each host in the stream. */
  | { kind: "stream" };

/** What {@link fleetStatus} needs. */
export interface FleetStatusOptions {
  expected: ExpectedSource;
  /** The half-open window `[start, end)`. */
  window: { start: Date; end: Date };
  /** The time the report is for (default: now). */
  now?: Date;
  /** How long a firing may wait for its prepare, and a prepare for its record (default 6 h). */
  graceMs?: number;
  /** The scatter span the orchestrator uses (`roster discover --scatter`); default none. */
  scatterMs?: number;
  /** The NATS server and stream holding kaizen's events. */
  nats: {
    url: string;
    /** Reads `NATS_CREDS`, `NATS_NKEY`, `NATS_TOKEN` (default: none). */
    env?: (name: string) => string | undefined;
    /** Stream name (default: the one that stores `kaizen.schedule.prepared`). */
    stream?: string;
    timeoutMs?: number;
  };
  /** Hears (messages read, roughly how many in all) during a long read. */
  onProgress?: (read: number, total: number) => void;
  /** Hears how many secrets were replaced in what is reported. */
  notice?: (message: string) => void;
}

/**
 * The default grace: a session that starts within the scatter span and runs a few hours.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_GRACE_MS } from "../../mod.ts";
 *
 * // A Monday 09:00 firing with no prepare event by 15:00 counts as missed.
 * const firing = new Date("2026-11-16T09:00:00Z");
 * const late = new Date(firing.getTime() + DEFAULT_GRACE_MS);
 * assert.equal(late.toISOString(), "2026-11-16T15:00:00.000Z");
 * ```
 */
export const DEFAULT_GRACE_MS = 6 * 3_600_000;

/**
 * A fleet status that cannot be made (code `fleet-status`); the message is one printable line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fleetStatus, FleetStatusError } from "../../mod.ts";
 *
 * const backwards = fleetStatus({
 *   expected: { kind: "runs", runs: [] },
 *   window: { start: new Date("2026-11-23T00:00:00Z"), end: new Date("2026-11-16T00:00:00Z") },
 *   nats: { url: "nats://127.0.0.1:4222" }, // not contacted: the window is checked first
 * });
 * await assert.rejects(backwards, (err) => {
 *   assert.ok(err instanceof FleetStatusError);
 *   assert.equal(err.code, "fleet-status");
 *   assert.equal(err.message, "the window ends before it starts");
 *   return true;
 * });
 * ```
 */
export class FleetStatusError extends KaizenError {
  override name = "FleetStatusError";
  constructor(message: string, cause?: unknown) {
    super("fleet-status", message, {
      ...(cause !== undefined ? { cause } : {}),
      // A wrapped refusal that names an option keeps naming it (the CLI says `--stream`).
      ...(cause instanceof KaizenError ? { subject: cause.subject, option: cause.option } : {}),
    });
  }
}

async function expectedRuns(
  src: ExpectedSource,
  nc: import("@nats-io/nats-core/internal").NatsConnection,
  opts: FleetStatusOptions,
): Promise<ExpectedRuns & { kind: FleetStatusReport["source"]["expected"] }> {
  if (src.kind === "runs") return { kind: "runs-file", runs: src.runs, skipped: [] };
  if (src.kind === "runs-file") return { kind: "runs-file", ...(await readRunsFile(src.path)) };
  if (src.kind === "stream") {
    const { readRosterFromStream } = await import("./roster_event.ts");
    return {
      kind: "stream",
      ...(await readRosterFromStream(nc, {
        stream: opts.nats.stream,
        timeoutMs: opts.nats.timeoutMs ?? 5_000,
      })),
    };
  }
  const r = await discoverScheduledRuns(src.discover);
  return {
    kind: r.stats.source,
    runs: r.scheduled_runs.map((s) => ({
      repo: s.repo,
      agent: s.agent,
      cron: s.cron,
      timezone: s.timezone,
    })),
    skipped: r.skipped.map((s) => ({ repo: s.repo, reason: s.reason })),
  };
}

/**
 * The fleet's status over a window: one row per expected (repo, agent), the
 * fleet total, the per-day series, events for pairs the schedule does not
 * list, and the repos that gave no expected run. Every string that reaches
 * the report went through the output redactor with control characters
 * stripped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fleetStatus, FleetStatusError } from "../../mod.ts";
 *
 * const status = fleetStatus({
 *   expected: {
 *     kind: "runs",
 *     runs: [{ repo: "acme/widgets", agent: "coach", cron: "0 9 * * 1", timezone: "UTC" }],
 *   },
 *   window: { start: new Date("2026-11-16T00:00:00Z"), end: new Date("2026-11-23T00:00:00Z") },
 *   nats: { url: "nats://127.0.0.1:1", timeoutMs: 1_000 }, // where kaizen's events are kept
 * });
 * // With a server, `(await status).rows` has one row per expected (repo, agent) with its
 * // missed runs; nothing listens on port 1 here, so the report cannot be made.
 * await assert.rejects(status, FleetStatusError);
 * ```
 */
export async function fleetStatus(opts: FleetStatusOptions): Promise<FleetStatusReport> {
  const start = opts.window.start.getTime();
  const end = opts.window.end.getTime();
  if (!(end > start)) throw new FleetStatusError("the window ends before it starts");
  const now = (opts.now ?? new Date()).getTime();
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const { openEventPublisher } = await import("../nats/mod.ts");
  const { readFleetMessages } = await import("./read.ts");
  let pub;
  try {
    pub = await openEventPublisher({
      url: opts.nats.url,
      env: opts.nats.env ?? (() => undefined),
      timeoutMs: opts.nats.timeoutMs,
    });
  } catch (err) {
    throw new FleetStatusError(String((err as Error)?.message ?? err), err);
  }
  try {
    let expected;
    try {
      expected = await expectedRuns(opts.expected, pub.connection, opts);
    } catch (err) {
      // A runs file, a roster or the stream that cannot be used: kaizen's own words.
      if (err instanceof KaizenError) throw new FleetStatusError(err.message, err);
      throw err;
    }
    const runs = opts.scatterMs
      ? expected.runs.map((r) => ({
        ...r,
        offsetMs: scatterOffsetMs(r.repo, r.agent, opts.scatterMs!),
      }))
      : expected.runs;
    const window = { start, end, now, graceMs };
    const join = new FleetJoin(window, runs);
    let invalid = 0;
    let read;
    try {
      read = await readFleetMessages(pub.connection, {
        stream: opts.nats.stream,
        from: start,
        until: readHorizon(window),
        timeoutMs: opts.nats.timeoutMs ?? 5_000,
        onProgress: opts.onProgress,
      }, (subject, data) => {
        const m = parseFleetMessage(subject, data);
        if (m.kind === "event") join.add(m.event);
        else if (m.kind === "invalid") invalid++;
      });
    } catch (err) {
      if (err instanceof KaizenError) throw new FleetStatusError(err.message, err);
      throw err;
    }
    const done = join.finish();
    const report: FleetStatusReport = {
      window: {
        start: new Date(start).toISOString(),
        end: new Date(end).toISOString(),
        now: new Date(now).toISOString(),
        grace_seconds: Math.round(graceMs / 1000),
      },
      source: {
        expected: expected.kind,
        stream: read.stream,
        messages: read.messages,
        events: join.joined,
        duplicates: join.duplicates,
        invalid,
        outside_window: join.outsideWindow,
      },
      total: done.total,
      rows: done.rows,
      unscheduled: done.unscheduled,
      skipped: expected.skipped,
      daily: done.daily,
      durations: done.durations,
    };
    return cleanReport(report, opts.notice);
  } finally {
    await pub.close();
  }
}

/** The longest string a report carries from the wire or a roster. */
const MAX_TEXT = 200;

/**
 * Every string in the report that came from outside (slugs, agent names,
 * crons, zones, skip reasons) without control characters and redacted:
 * one choke point before any renderer sees it.
 */
export function cleanReport(
  report: FleetStatusReport,
  notice?: (message: string) => void,
): FleetStatusReport {
  let count = 0;
  const clean = (s: string) => {
    const cut = stripControl(s).replace(/[\n\t]/g, " ");
    const short = cut.length > MAX_TEXT ? `${cut.slice(0, MAX_TEXT - 3)}...` : cut;
    return redactForOutput(short, "fleet status", () => count++);
  };
  const out: FleetStatusReport = {
    ...report,
    rows: report.rows.map((r) => ({
      ...r,
      repo: clean(r.repo),
      agent: clean(r.agent),
      cron: clean(r.cron),
      timezone: clean(r.timezone),
    })),
    unscheduled: {
      events: report.unscheduled.events,
      pairs: report.unscheduled.pairs.map((p) => ({
        ...p,
        repo: clean(p.repo),
        agent: clean(p.agent),
      })),
    },
    skipped: report.skipped.map((s) => ({ repo: clean(s.repo), reason: clean(s.reason) })),
    daily: report.daily.map((d) => ({ ...d, agent: clean(d.agent) })),
    durations: report.durations.map((d) => ({ ...d, agent: clean(d.agent) })),
    source: {
      ...report.source,
      stream: report.source.stream === null ? null : clean(report.source.stream),
    },
  };
  if (count > 0 && notice) {
    notice(`redacted secrets in ${count} value${count === 1 ? "" : "s"} of the fleet status`);
  }
  return out;
}
