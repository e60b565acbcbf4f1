/**
 * `kaizen roster discover`: the roster resolver on the command line. Data on
 * stdout (`json`, `jsonl` as results arrive, or a table), problems on stderr;
 * a roster source that fails prints one line and no answer.
 *
 * @module
 */
import type { TypedInvocation } from "../cli/framework.ts";
import type { DISCOVER_OPTIONS } from "./options.ts";
import { CliError, stderr, stdout } from "../cli/io.ts";
import { printable } from "../text/printable.ts";
import { renderTable } from "../text/table.ts";
import {
  discoverScheduledRuns,
  RosterSourceError,
  type ScheduledRun,
  type SkippedRepo,
} from "../roster/discover.ts";
import { resolveRosterQuery } from "./target.ts";

/** Runs `roster discover`; returns the exit code. */
export async function discoverCommand(
  inv: TypedInvocation<typeof DISCOVER_OPTIONS>,
): Promise<number> {
  const { format, due, scatter: scatterMs, concurrency } = inv.opts;
  if (scatterMs !== undefined && !due) {
    throw new CliError("--scatter only applies with --due", 2);
  }
  const query = resolveRosterQuery(inv.opts);
  let seen = 0;
  const progress = Deno.stderr.isTerminal();
  try {
    const result = await discoverScheduledRuns({
      ...query,
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
    if (err instanceof RosterSourceError) {
      throw new CliError(printable(err.message, 500), err.exitCode, { cause: err });
    }
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
