import { formatDiagnostic, hasErrors } from "../diagnostics.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { LIST_OPTIONS } from "./options.ts";
import { CliError, label, stderr, stdout } from "../cli/io.ts";
import { loadSchedule } from "../manifest/load.ts";
import { incompleteNotice, listSchedule } from "../manifest/listing.ts";
import { printable } from "../text/printable.ts";
import { renderTable } from "../text/table.ts";
import { resolveTarget } from "./target.ts";

/** `kaizen schedule list`: the agents with their effective cron and next runs. */
export async function listCommand(inv: TypedInvocation<typeof LIST_OPTIONS>): Promise<number> {
  await resolveTarget(inv.opts.target);
  const now = inv.opts.now ?? new Date();
  const count = inv.opts.count;
  const loaded = await loadSchedule(inv.opts.target);
  if (!loaded.exists) {
    throw new CliError(
      `no manifest at ${printable(loaded.file, 500)} (create one with 'kaizen schedule init')`,
      1,
    );
  }
  if (hasErrors(loaded.diagnostics) || !loaded.schedule) {
    for (const d of loaded.diagnostics) stderr(formatDiagnostic(d, loaded.file) + "\n");
    stderr(`${printable(loaded.file, 500)}: invalid; run 'kaizen schedule validate' for details\n`);
    return 1;
  }
  // A valid manifest can still carry warnings (a fixed-offset zone): shown, not fatal.
  for (const d of loaded.diagnostics) {
    stderr(
      formatDiagnostic(d, loaded.file).replace(`: ${d.severity}: `, `: ${label(d.severity)}: `) +
        "\n",
    );
  }
  const list = listSchedule(loaded.schedule, {
    now,
    count,
    all: inv.opts.all,
    file: loaded.file,
  });
  for (const a of list.agents) {
    const notice = incompleteNotice(a, count, list.horizon_days);
    if (notice) stderr(`${label("notice")}: ${printable(notice, 300)}\n`);
  }
  if (inv.opts.format === "json") {
    stdout(JSON.stringify(list, null, 2) + "\n");
    return 0;
  }
  if (list.agents.length === 0) {
    stdout(
      `no enabled agents in ${printable(loaded.file, 500)} (use --all to include disabled ones)\n`,
    );
    return 0;
  }
  const defaultZone = list.timezone_source === "default";
  const rows: string[][] = [];
  for (const a of list.agents) {
    const first = [
      a.agent,
      a.enabled ? "yes" : "no",
      a.cadence,
      a.cron_source === "cron" ? a.cron : `${a.cron} (default)`,
      defaultZone ? `${a.timezone} (default)` : a.timezone,
    ];
    if (a.state !== "scheduled") {
      rows.push([...first, a.state, "-"]);
      continue;
    }
    a.next_runs.forEach((run, i) => {
      rows.push([...(i === 0 ? first : first.map(() => "")), run.local, run.utc]);
    });
    if (!a.complete) {
      rows.push([
        ...first.map(() => ""),
        `(no run within ${list.horizon_days} days of the last)`,
        "-",
      ]);
    }
  }
  stdout(renderTable(
    [
      "AGENT",
      "ENABLED",
      "CADENCE",
      "CRON",
      "TIMEZONE",
      "NEXT RUN",
      "NEXT RUN (UTC)",
    ],
    rows,
  ));
  return 0;
}
