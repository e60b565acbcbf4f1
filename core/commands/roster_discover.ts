/**
 * `kaizen roster discover`: the roster resolver on the command line. Data on
 * stdout (`json`, `jsonl` as results arrive, or a table), problems on stderr;
 * a roster source that fails prints one line and no answer.
 *
 * @module
 */
import { nonEmptyEnv } from "../env.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { DISCOVER_OPTIONS } from "./options.ts";
import { CliError, stderr, stdout } from "../cli/io.ts";
import { printable } from "../text/printable.ts";
import { renderTable } from "../text/table.ts";
import {
  discoverScheduledRuns,
  type RosterSource,
  RosterSourceError,
  type ScheduledRun,
  type SkippedRepo,
} from "../roster/discover.ts";
import { parseDuration } from "../time/duration.ts";
import { resolveHost } from "./target.ts";

function parseInstant(text: string, flag: string): Date {
  const d = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(d.getTime())) {
    throw new CliError(
      `${flag}: '${printable(text)}' is not an ISO 8601 instant (e.g. 2026-11-23T08:00:00Z)`,
      2,
    );
  }
  return d;
}

/** `START/END` or `START/DURATION` (ISO 8601 interval forms). */
export function parseDueWindow(text: string): { start: Date; end: Date } {
  const parts = text.split("/");
  if (parts.length !== 2) {
    throw new CliError(
      `--due '${
        printable(text)
      }' must be START/END or START/DURATION (e.g. 2026-11-23T08:00:00Z/PT1H)`,
      2,
    );
  }
  const start = parseInstant(parts[0], "--due");
  const span = parseDuration(parts[1]);
  const end = span !== undefined
    ? new Date(start.getTime() + span)
    : parseInstant(parts[1], "--due");
  if (end.getTime() <= start.getTime()) {
    throw new CliError(`--due '${printable(text)}' ends before it starts`, 2);
  }
  if (end.getTime() - start.getTime() > 366 * 86_400_000) {
    throw new CliError(`--due '${printable(text)}' is longer than a year`, 2);
  }
  return { start, end };
}

function source(inv: TypedInvocation<typeof DISCOVER_OPTIONS>): RosterSource {
  const hub = typeof inv.opts.hub === "string" ? inv.opts.hub : undefined;
  const roster = typeof inv.opts.roster === "string" ? inv.opts.roster : undefined;
  const scan = typeof inv.opts.scan === "string" ? inv.opts.scan : undefined;
  if ([hub, roster, scan].filter((x) => x !== undefined).length > 1) {
    throw new CliError("give one roster source: --hub, --roster or --scan", 2);
  }
  if (roster) return { kind: "roster-file", path: roster };
  if (scan) return { kind: "scan", dir: scan };
  const url = hub ?? nonEmptyEnv("STATE_HUB_URL");
  if (url) return { kind: "hub", url, token: nonEmptyEnv("STATE_HUB_TOKEN") };
  return { kind: "scan", dir: "." };
}

/** Runs `roster discover`; returns the exit code. */
export async function discoverCommand(
  inv: TypedInvocation<typeof DISCOVER_OPTIONS>,
): Promise<number> {
  const format = (inv.opts.format ?? "json") as "json" | "jsonl" | "table";
  const due = typeof inv.opts.due === "string" ? parseDueWindow(inv.opts.due) : undefined;
  let scatterMs: number | undefined;
  if (typeof inv.opts.scatter === "string") {
    scatterMs = parseDuration(inv.opts.scatter);
    if (scatterMs === undefined || scatterMs > 7 * 86_400_000) {
      throw new CliError(
        `--scatter '${
          printable(inv.opts.scatter)
        }' must be a duration up to 7 days (e.g. PT30M or 30m)`,
        2,
      );
    }
    if (!due) throw new CliError("--scatter only applies with --due", 2);
  }
  let concurrency: number | undefined;
  if (typeof inv.opts.concurrency === "string") {
    const n = Number(inv.opts.concurrency);
    if (!/^\d+$/.test(inv.opts.concurrency) || n < 1 || n > 256) {
      throw new CliError(
        `--concurrency must be a whole number from 1 to 256, got '${
          printable(inv.opts.concurrency)
        }'`,
        2,
      );
    }
    concurrency = n;
  }
  const src = source(inv);
  const host = resolveHost(inv.opts.host);
  let seen = 0;
  const progress = Deno.stderr.isTerminal();
  try {
    const result = await discoverScheduledRuns({
      source: src,
      host,
      domain: typeof inv.opts.domain === "string" ? inv.opts.domain : undefined,
      agent: typeof inv.opts.agent === "string" ? inv.opts.agent : undefined,
      hubFilter: inv.opts["hub-filter"] === true,
      due,
      scatterMs,
      concurrency,
      onItem: (item) => {
        if (format === "jsonl") {
          stdout(JSON.stringify("run" in item ? { scheduled_run: item.run } : item) + "\n");
        }
        if (progress && ++seen % 100 === 0) stderr(`\rroster: ${seen} checked`);
      },
    });
    if (progress && seen >= 100) stderr("\r\u001b[K");
    if (format === "json") stdout(JSON.stringify(result, null, 2) + "\n");
    else if (format === "jsonl") stdout(JSON.stringify({ stats: result.stats }) + "\n");
    else stdout(table(result.scheduled_runs, result.skipped, due !== undefined));
    return 0;
  } catch (err) {
    if (err instanceof RosterSourceError) throw new CliError(printable(err.message, 500), 1);
    throw err;
  }
}

/** The first few due times, and how many there are when that is more. */
function dueCell(r: ScheduledRun): string {
  const shown = (r.due_at ?? []).slice(0, TABLE_DUE_AT);
  const count = r.due_count ?? shown.length;
  return shown.join(", ") + (count > shown.length ? `, … (${count} in all)` : "");
}

/** Due times a table row shows; `--format json` lists up to MAX_DUE_AT. */
const TABLE_DUE_AT = 3;

function table(runs: ScheduledRun[], skipped: SkippedRepo[], due: boolean): string {
  const out: string[] = [];
  if (runs.length === 0) out.push("no scheduled runs\n");
  else {
    out.push(renderTable(
      ["REPO", "AGENT", "CADENCE", "CRON", "TIMEZONE", due ? "DUE AT" : "ROOT"],
      runs.map((r) => [
        printable(r.repo, 60),
        r.agent,
        r.cadence,
        r.cron,
        r.timezone,
        due ? dueCell(r) : printable(r.root, 120),
      ]),
    ));
  }
  if (skipped.length > 0) {
    out.push(`\nskipped ${skipped.length}:\n`);
    for (const s of skipped) out.push(`  ${printable(s.repo, 60)}: ${s.reason}\n`);
  }
  return out.join("");
}
