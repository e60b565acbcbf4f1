/**
 * Renders a commented, valid `.kaizen/schedule.yml` for `schedule init`.
 * Plain string assembly (not a YAML serializer) so the comments that teach
 * the format survive.
 *
 * @module
 */
import { type Cadence, CADENCE_DEFAULT_CRON } from "./constants.ts";

/** One agent to scaffold. */
export interface TemplateAgent {
  name: string;
  cadence: Cadence;
  cron?: string;
  enabled: boolean;
  /** A trailing comment for the `cron` line (or the cadence line when no cron). */
  note?: string;
}

/** Options for {@link renderManifest}. */
export interface TemplateOptions {
  timezone: string;
  agents: TemplateAgent[];
  /** Relative path of the JSON Schema for the editor modeline. */
  schemaPath?: string;
  /** Extra header comment lines (without `# `). */
  header?: string[];
}

/** The standard set `schedule init` scaffolds: the ADR-005 pilot schedule. */
export const DEFAULT_INIT_AGENTS: readonly TemplateAgent[] = [
  { name: "coach", cadence: "weekly", cron: "0 9 * * 1", enabled: true, note: "Mondays 09:00" },
  {
    name: "optimization",
    cadence: "weekly",
    cron: "0 10 * * 1",
    enabled: true,
    note: "Mondays 10:00",
  },
  { name: "tdd-workflow", cadence: "monthly", enabled: false },
];

/** Renders the manifest text. */
export function renderManifest(opts: TemplateOptions): string {
  const out: string[] = [];
  if (opts.schemaPath) out.push(`# yaml-language-server: $schema=${opts.schemaPath}`);
  out.push(
    "# kaizen schedule manifest: opts this repository into scheduled coding-agent runs.",
    "# Check it with `kaizen schedule validate`; preview runs with `kaizen schedule list`.",
  );
  for (const h of opts.header ?? []) out.push(`# ${h}`);
  out.push(
    'version: "1"  # always the string "1"',
    `timezone: ${opts.timezone}  # IANA zone the cron times below are read in`,
    "agents:",
    "  # <agent name>:",
    "  #   cadence: daily | weekly | monthly   (required)",
    '  #   cron: "m h dom mon dow"             (optional, 5 fields, overrides the cadence)',
    "  #   enabled: true | false                (optional, default true)",
    `  # Without cron: daily = "${CADENCE_DEFAULT_CRON.daily}", weekly = "${CADENCE_DEFAULT_CRON.weekly}", monthly = "${CADENCE_DEFAULT_CRON.monthly}".`,
  );
  for (const a of opts.agents) {
    out.push(`  ${a.name}:`);
    out.push(`    cadence: ${a.cadence}${a.cron === undefined && a.note ? `  # ${a.note}` : ""}`);
    if (a.cron !== undefined) out.push(`    cron: "${a.cron}"${a.note ? `  # ${a.note}` : ""}`);
    out.push(`    enabled: ${a.enabled}`);
  }
  return out.join("\n") + "\n";
}
