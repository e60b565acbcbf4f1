/**
 * `kaizen fleet status | publish-roster`: how the fleet is doing — the
 * schedule joined with the events on JetStream — and, for operators who
 * cannot read the runner hosts' checkouts, the runner side that publishes a
 * host's resolved runs into the stream. This module only parses and prints
 * and is cheap to import: the roster resolver, the NATS client, the join
 * and the charting libraries load when a subcommand runs.
 *
 * @module
 */
import {
  type CommandSpec,
  defineCommand,
  type Interval,
  type OptionSpec,
  type TypedInvocation,
} from "../cli/framework.ts";
import { firstLine, renderForCli } from "../errors.ts";
import { CliError, stderr, stdout, useColorOnStdout, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { processEnv } from "../env.ts";
import { resolveNatsUrl, resolveRosterQuery, rosterGiven } from "./target.ts";
import { printable } from "../text/printable.ts";
import {
  MAX_SCATTER_MS,
  MAX_WINDOW_MS,
  NATS_SERVER,
  nowOption,
  ROSTER_OPTIONS,
} from "./options.ts";
import type { FleetStatusReport } from "../fleet/types.ts";
import type { ExpectedSource } from "../fleet/status.ts";

/** The `--fail-on` conditions. */
export const FAIL_ON = ["missed", "failed", "open"] as const;
type FailOn = typeof FAIL_ON[number];

/** `fleet status` */
export const FLEET_STATUS_OPTIONS = [
  ...ROSTER_OPTIONS,
  {
    name: "runs",
    type: "string",
    valueName: "FILE",
    description: "Expected runs from a saved 'roster discover --format json' (- for stdin)",
  },
  {
    name: "runs-from-stream",
    type: "boolean",
    description: "Expected runs from the hosts' 'fleet publish-roster' messages in the stream",
  },
  {
    name: "since",
    type: "duration",
    max: MAX_WINDOW_MS,
    valueName: "DURATION",
    description: "The window: the last DURATION up to now (default 7d)",
  },
  {
    name: "window",
    type: "interval",
    max: MAX_WINDOW_MS,
    valueName: "START/END",
    description: "The window: ISO instants, END may be a duration (2026-11-16T00:00:00Z/P7D)",
  },
  nowOption("Pin the clock (reproducible output)"),
  {
    name: "grace",
    type: "duration",
    zero: "no wait",
    valueName: "DURATION",
    default: "6h",
    description: "How long a firing waits for its prepare, and a prepare for its record",
  },
  {
    name: "scatter",
    type: "duration",
    max: MAX_SCATTER_MS,
    zero: "none",
    valueName: "DURATION",
    description: "The orchestrator's 'roster discover --scatter' span",
  },
  NATS_SERVER,
  {
    name: "stream",
    type: "string",
    valueName: "NAME",
    description: "Stream to read (default: the one that stores kaizen.schedule.prepared)",
  },
  {
    name: "format",
    type: "string",
    choices: ["table", "json", "html"],
    default: "table",
    description: "A table, JSON (schemas/fleet-status.schema.json) or a self-contained HTML report",
  },
  {
    name: "out",
    type: "string",
    valueName: "FILE",
    description: "Write the report to FILE (atomically) instead of stdout",
  },
  {
    name: "fail-on",
    type: "string",
    valueName: "LIST",
    description: "Exit 1 when any row is missed, failed or open (comma-separated)",
  },
] as const satisfies readonly OptionSpec[];

/** `fleet publish-roster` */
export const FLEET_PUBLISH_OPTIONS = [
  ...ROSTER_OPTIONS,
  NATS_SERVER,
  {
    name: "dry-run",
    type: "boolean",
    description: "Print the message instead of publishing it",
  },
] as const satisfies readonly OptionSpec[];

/** `--since` when neither it nor `--window` is given. */
const DEFAULT_SINCE_MS = 7 * 86_400_000;

/**
 * `--since` / `--window` / `--now` to a window and a clock (the parser has
 * checked each: a window ends after it starts and spans at most 366 days).
 */
export function resolveWindow(
  opts: { since?: number; window?: Interval; now?: Date },
): { start: Date; end: Date; now: Date } {
  const now = opts.now ?? new Date();
  if (opts.since !== undefined && opts.window !== undefined) {
    throw new CliError("give --since or --window, not both", 2);
  }
  if (opts.window !== undefined) return { ...opts.window, now };
  return { start: new Date(now.getTime() - (opts.since ?? DEFAULT_SINCE_MS)), end: now, now };
}

/** `--fail-on missed,failed,open` to the set of conditions. */
export function parseFailOn(text: string | undefined): Set<FailOn> {
  const out = new Set<FailOn>();
  if (text === undefined) return out;
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!isFailOn(part)) {
      throw new CliError(
        `--fail-on: '${printable(part, 40)}' is not one of ${FAIL_ON.join(", ")}`,
        2,
      );
    }
    out.add(part);
  }
  return out;
}

function isFailOn(word: string): word is FailOn {
  return FAIL_ON.some((f) => f === word);
}

/** The rows that trip `--fail-on`. */
export function failingRows(
  report: FleetStatusReport,
  failOn: ReadonlySet<FailOn>,
): FleetStatusReport["rows"] {
  return report.rows.filter((r) =>
    (failOn.has("missed") && r.missed > 0) || (failOn.has("failed") && r.closed_failed > 0) ||
    (failOn.has("open") && r.open > 0)
  );
}

/** A progress line on stderr, only on a terminal. */
function progressBar(): { update(read: number, total: number): void; done(): void } | undefined {
  if (!Deno.stderr.isTerminal()) return undefined;
  let shown = false;
  return {
    update(read, total) {
      const f = Math.min(1, read / total);
      const width = 30;
      const full = Math.round(f * width);
      stderr(
        `\rfleet: reading events [${"#".repeat(full)}${"-".repeat(width - full)}] ${
          Math.round(f * 100)
        }% (${read.toLocaleString("en")} of ~${total.toLocaleString("en")})`,
      );
      shown = true;
    },
    done() {
      if (shown) stderr("\r\u001b[K");
    },
  };
}

async function statusCommand(inv: TypedInvocation<typeof FLEET_STATUS_OPTIONS>): Promise<number> {
  const o = inv.opts;
  const prog = programName();
  const window = resolveWindow(o);
  const failOn = parseFailOn(o["fail-on"]);
  const sources = [rosterGiven(o), o.runs !== undefined, o["runs-from-stream"]]
    .filter(Boolean).length;
  if (sources > 1) {
    throw new CliError(
      "give one source of expected runs: a roster (--hub, --roster, --scan), --runs or --runs-from-stream",
      2,
    );
  }
  if (o.stream !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(o.stream)) {
    throw new CliError(`--stream '${printable(o.stream, 64)}' is not a stream name`, 2);
  }
  const expected: ExpectedSource = o.runs !== undefined
    ? { kind: "runs-file", path: o.runs }
    : o["runs-from-stream"]
    ? { kind: "stream" }
    : { kind: "roster", discover: resolveRosterQuery(o) };
  const url = await resolveNatsUrl(o["nats-url"]);
  const { fleetStatus, FleetStatusError } = await import("../fleet/status.ts");
  const bar = progressBar();
  let report: FleetStatusReport;
  try {
    report = await fleetStatus({
      expected,
      window,
      now: window.now,
      graceMs: o.grace,
      scatterMs: o.scatter,
      nats: { url, env: processEnv, stream: o.stream },
      onProgress: bar?.update,
      notice: (m) => warn(prog, m, "notice"),
    });
  } catch (err) {
    if (err instanceof FleetStatusError) {
      const { maskUrl } = await import("../nats/url.ts");
      const { redactForOutput } = await import("../redact/output.ts");
      const text = renderForCli(err).split("\n")[0].replaceAll(url, maskUrl(url));
      throw new CliError(printable(redactForOutput(text, "fleet status"), 400), err.exitCode, {
        cause: err,
      });
    }
    throw err;
  } finally {
    bar?.done();
  }
  let text: string;
  if (o.format === "json") text = JSON.stringify(report, null, 2) + "\n";
  else if (o.format === "html") {
    const { renderFleetHtml } = await import("../fleet/render_html.ts");
    let charts: { id: string; title: string; svg: string }[] = [];
    let problem: string | undefined;
    try {
      charts = await (await import("../fleet/charts.ts")).fleetCharts(report);
    } catch (err) {
      problem = printable(firstLine(err), 200);
      warn(prog, `charts could not be drawn: ${problem}`);
    }
    text = renderFleetHtml(report, charts, problem);
  } else {
    const { renderFleetTable } = await import("../fleet/render_table.ts");
    text = renderFleetTable(report, { color: o.out === undefined && useColorOnStdout() });
  }
  if (o.out !== undefined) {
    const { writeFileAtomic } = await import("../fs/atomic.ts");
    try {
      await writeFileAtomic(o.out, text);
    } catch (err) {
      throw new CliError(
        `--out ${printable(o.out, 200)}: cannot write (${(err as Error)?.name ?? "error"})`,
        1,
      );
    }
    stderr(`wrote ${printable(o.out, 200)} (${report.rows.length} rows)\n`);
  } else stdout(text);
  const failing = failingRows(report, failOn);
  if (failing.length > 0) {
    warn(
      prog,
      `${failing.length} row(s) match --fail-on ${[...failOn].join(",")}: ${
        failing.slice(0, 3).map((r) => `${printable(r.repo, 60)}/${printable(r.agent, 40)}`)
          .join(", ")
      }${failing.length > 3 ? ", ..." : ""}`,
      "error",
    );
    return 1;
  }
  return 0;
}

async function publishRosterCommand(
  inv: TypedInvocation<typeof FLEET_PUBLISH_OPTIONS>,
): Promise<number> {
  const o = inv.opts;
  const discover = resolveRosterQuery(o);
  const { discoverScheduledRuns, RosterSourceError } = await import("../roster/discover.ts");
  const { rosterMessage, rosterSubject } = await import("../fleet/roster_event.ts");
  let resolved;
  try {
    resolved = await discoverScheduledRuns(discover);
  } catch (err) {
    if (err instanceof RosterSourceError) {
      throw new CliError(printable(err.message, 500), err.exitCode, { cause: err });
    }
    throw err;
  }
  const payload = rosterMessage(
    discover.host,
    resolved.scheduled_runs,
    resolved.skipped,
    new Date(),
  );
  const subject = rosterSubject(discover.host);
  if (o["dry-run"]) {
    const { redactForOutput } = await import("../redact/output.ts");
    stdout(redactForOutput(JSON.stringify({ subject, payload }, null, 2), "fleet roster") + "\n");
    return 0;
  }
  const url = await resolveNatsUrl(o["nats-url"]);
  const { publishJson } = await import("../events/publish_report.ts");
  const { eventMessageId } = await import("../events/payloads.ts");
  // The same host and runs give the same id: an unchanged roster is stored once.
  const msgId = await eventMessageId(subject, JSON.stringify(payload.runs));
  try {
    const { stored: r, server } = await publishJson({
      url,
      subject,
      msgId,
      payload,
      env: processEnv,
    });
    if (r.mode === "core") {
      throw new CliError(
        `no stream stores ${subject} on ${server}: nothing kept it (create one with 'kaizen events setup')`,
        1,
      );
    }
    stderr(
      `published ${payload.runs.length} run(s) of ${
        printable(discover.host, 80)
      } on ${subject} (stream ${r.stream}, seq ${r.seq}${r.duplicate ? ", duplicate" : ""})\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(
      printable(firstLine(err), 300),
      1,
    );
  }
}

/** The `fleet` command group. */
export const fleetCommand: CommandSpec = {
  name: "fleet",
  description: "How the fleet is doing: scheduled runs joined with the events on NATS",
  subcommands: [
    defineCommand({
      name: "status",
      description: "Expected, prepared, closed, open and missed runs per (repo, agent)",
      options: FLEET_STATUS_OPTIONS,
      epilog:
        "Exit 0, or 1 when --fail-on matches a row or the stream cannot be read; see docs/fleet.md",
      run: statusCommand,
    }),
    defineCommand({
      name: "publish-roster",
      description: "Publish this host's resolved runs for 'fleet status --runs-from-stream'",
      options: FLEET_PUBLISH_OPTIONS,
      run: publishRosterCommand,
    }),
  ],
};
