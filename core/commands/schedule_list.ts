import { formatDiagnostic, hasErrors } from "../diagnostics.ts";
import type { Invocation } from "../cli/framework.ts";
import { CliError, stderr, stdout } from "../cli/io.ts";
import { DEFAULT_TIMEZONE } from "../manifest/constants.ts";
import { loadSchedule } from "../manifest/load.ts";
import { effectiveCron, nextRuns } from "../time/next_run.ts";
import { formatInZone, formatUtc } from "../time/timezone.ts";
import { renderTable } from "../text/table.ts";
import { resolveNow, resolveTarget } from "./target.ts";

/** One row of `schedule list`. */
export interface ListedAgent {
  agent: string;
  enabled: boolean;
  cadence: string;
  cron: string;
  cron_source: "cron" | "cadence";
  timezone: string;
  next_run: string | null;
  next_run_utc: string | null;
}

/** `kaizen schedule list`: the agents with their effective cron and next run. */
export async function listCommand(inv: Invocation): Promise<number> {
  await resolveTarget(inv.opts.target);
  const now = resolveNow(inv.opts.now);
  const loaded = await loadSchedule(String(inv.opts.target ?? "."));
  if (!loaded.exists) {
    throw new CliError(`no manifest at ${loaded.file} (create one with 'kaizen schedule init')`, 1);
  }
  if (hasErrors(loaded.diagnostics) || !loaded.schedule) {
    for (const d of loaded.diagnostics) stderr(formatDiagnostic(d, loaded.file) + "\n");
    stderr(`${loaded.file}: invalid; run 'kaizen schedule validate' for details\n`);
    return 1;
  }
  const schedule = loaded.schedule;
  const timezone = schedule.timezone ?? DEFAULT_TIMEZONE;
  const rows: ListedAgent[] = [];
  for (const [agent, s] of Object.entries(schedule.agents)) {
    if (!s.enabled && !inv.opts.all) continue;
    const { cron, source } = effectiveCron(s);
    const [next] = s.enabled ? await nextRuns(cron, timezone, now) : [];
    rows.push({
      agent,
      enabled: s.enabled,
      cadence: s.cadence,
      cron,
      cron_source: source,
      timezone,
      next_run: next ? formatInZone(next, timezone) : null,
      next_run_utc: next ? formatUtc(next) : null,
    });
  }
  if (inv.opts.format === "json") {
    const body = {
      file: loaded.file,
      now: formatUtc(now),
      timezone,
      timezone_source: schedule.timezone ? "manifest" : "default",
      agents: rows,
    };
    stdout(JSON.stringify(body, null, 2) + "\n");
    return 0;
  }
  if (rows.length === 0) {
    stdout(`no enabled agents in ${loaded.file} (use --all to include disabled ones)\n`);
    return 0;
  }
  const table = renderTable(
    ["AGENT", "ENABLED", "CADENCE", "CRON", "TIMEZONE", "NEXT RUN", "NEXT RUN (UTC)"],
    rows.map((r) => [
      r.agent,
      r.enabled ? "yes" : "no",
      r.cadence,
      r.cron_source === "cron" ? r.cron : `${r.cron} (default)`,
      schedule.timezone ? r.timezone : `${r.timezone} (default)`,
      r.next_run ?? "-",
      r.next_run_utc ?? "-",
    ]),
  );
  stdout(table);
  return 0;
}
