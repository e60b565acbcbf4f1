import type { TypedInvocation } from "../cli/framework.ts";
import type { INIT_OPTIONS } from "./options.ts";
import { CliError, label, stderr, stdout } from "../cli/io.ts";
import { writeFileAtomic, writeFileAtomicNew } from "../fs/atomic.ts";
import { join } from "../fs/paths.ts";
import { agentCatalog } from "../agents/catalog.ts";
import { MANIFEST_PATH } from "../manifest/constants.ts";
import { parseSchedule } from "../manifest/parse.ts";
import { DEFAULT_INIT_AGENTS, renderManifest, type TemplateAgent } from "../manifest/template.ts";
import { didYouMean } from "../text/suggest.ts";
import { hostTimeZone, timeZoneProblem, timeZoneWarning } from "../time/timezone.ts";
import schema from "../../schemas/schedule.schema.json" with { type: "json" };
import { resolveTarget } from "./target.ts";
import { printable } from "../text/printable.ts";

/** Next to the manifest, so the editor modeline works offline and matches this release. */
export const SCHEMA_COPY = ".kaizen/schedule.schema.json";

/** Agents `--engagement` scaffolds when `--agents` is not given. */
export const DEFAULT_ENGAGEMENT_AGENTS = ["coach", "optimization"];

/**
 * How `--bootstrap-cadence` maps onto the manifest. `hourly` is not a cadence
 * value, so it becomes a daily cadence with an every-hour cron override.
 */
export const BOOTSTRAP: Readonly<
  Record<
    NonNullable<TypedInvocation<typeof INIT_OPTIONS>["opts"]["bootstrap-cadence"]>,
    { cadence: "daily" | "weekly"; cron?: string; note: string }
  >
> = {
  hourly: {
    cadence: "daily",
    cron: "0 * * * *",
    note: "bootstrap: every hour (hourly is expressed as a cron)",
  },
  daily: { cadence: "daily", note: "bootstrap: every day at 09:00" },
  weekly: { cadence: "weekly", note: "bootstrap: Mondays at 09:00" },
};

/** `kaizen schedule init`: scaffold a commented, valid manifest. */
export async function initCommand(inv: TypedInvocation<typeof INIT_OPTIONS>): Promise<number> {
  const root = await resolveTarget(inv.opts.target);
  const target = inv.opts.target;
  const file = join(target, MANIFEST_PATH);

  const timezone = inv.opts.timezone ?? hostTimeZone() ?? "UTC";
  const zoneProblem = timeZoneProblem(timezone);
  if (zoneProblem !== undefined) throw new CliError(`--timezone ${zoneProblem}`, 2);
  const engagement = inv.opts.engagement;
  if (!engagement && inv.opts["bootstrap-cadence"] !== undefined) {
    throw new CliError("--bootstrap-cadence only applies with --engagement", 2);
  }
  const known = (await agentCatalog(root)).map((a) => a.name);
  const requested = inv.opts.agents !== undefined
    ? inv.opts.agents.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : undefined;
  if (requested !== undefined && requested.length === 0) {
    throw new CliError("--agents lists no agent", 2);
  }
  for (const name of requested ?? []) {
    if (!known.includes(name)) {
      throw new CliError(
        `--agents: unknown agent '${name}'${didYouMean(name, known)}; known: ${known.join(", ")}`,
        2,
      );
    }
  }
  if (requested && new Set(requested).size !== requested.length) {
    throw new CliError("--agents lists an agent twice", 2);
  }

  let agents: TemplateAgent[];
  let header: string[] = [];
  if (engagement) {
    const boot = BOOTSTRAP[inv.opts["bootstrap-cadence"] ?? "daily"];
    agents = (requested ?? DEFAULT_ENGAGEMENT_AGENTS).map((name) => ({
      name,
      cadence: boot.cadence,
      cron: boot.cron,
      enabled: true,
      note: boot.note,
    }));
    header = [
      "Engagement bootstrap: frequent runs while the repo is new to kaizen;",
      "relax to weekly once it settles.",
    ];
  } else {
    const defaults = new Map(DEFAULT_INIT_AGENTS.map((a) => [a.name, a]));
    agents = (requested ?? DEFAULT_INIT_AGENTS.map((a) => a.name)).map((name) =>
      defaults.get(name) ?? { name, cadence: "weekly", enabled: true }
    );
  }

  const text = renderManifest({ timezone, agents, schemaPath: "./schedule.schema.json", header });
  // The template must always validate; fail loudly here rather than write a bad file.
  const check = parseSchedule(text, file, { knownAgents: known });
  if (!check.schedule) {
    throw new Error(`internal: scaffold does not validate: ${check.diagnostics[0]?.message}`);
  }

  const path = join(root, MANIFEST_PATH);
  let exists = false;
  try {
    await Deno.lstat(path);
    exists = true;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      throw new CliError(`cannot write ${printable(file, 500)}: ${(err as Error).message}`, 1);
    }
  }
  if (exists && !inv.opts.force) {
    throw new CliError(
      `${printable(file, 500)} already exists; not overwriting (pass --force to replace it)`,
      1,
    );
  }
  try {
    await Deno.mkdir(join(root, ".kaizen"), { recursive: true });
    await writeFileAtomic(join(root, SCHEMA_COPY), JSON.stringify(schema, null, 2) + "\n");
    // Without --force, link-based creation keeps the refusal race-free: a
    // manifest written by someone else since the check above is not replaced.
    if (inv.opts.force) await writeFileAtomic(path, text);
    else await writeFileAtomicNew(path, text);
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) {
      throw new CliError(
        `${printable(file, 500)} already exists; not overwriting (pass --force to replace it)`,
        1,
      );
    }
    // e.g. `.kaizen` is a file, or the repo is read-only: one line, no trace.
    throw new CliError(`cannot write ${printable(file, 500)}: ${(err as Error).message}`, 1);
  }
  const names = agents.map((a) => a.name).join(", ");
  // The zone is written as asked (or as the host's), but a fixed-offset one is named (issue 19).
  const zoneWarning = timeZoneWarning(timezone);
  if (zoneWarning !== undefined) stderr(`${label("warning")}: timezone ${zoneWarning}\n`);
  stdout(
    `${exists ? "replaced" : "created"} ${printable(file, 500)} (${names}; timezone ${timezone})\n`,
  );
  return 0;
}
