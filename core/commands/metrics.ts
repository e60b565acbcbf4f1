/**
 * `kaizen metrics record | show`: the CLI face of core/state/metrics.ts.
 *
 * `cli.ts` imports this module to build the command tree, so it imports only
 * what the tree itself needs; the record logic, the redactor, the agent
 * catalog and the NATS client load when a metrics command runs.
 *
 * @module
 */
import type { CommandSpec, Invocation, OptionSpec } from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { programName } from "../cli/program.ts";
import { printable } from "../text/printable.ts";
import { resolveNow, resolveTarget } from "./target.ts";

type Metrics = typeof import("../state/metrics.ts");
type Summary = import("../state/metrics.ts").MetricsSummary;
type ExecutionRecord = import("../state/metrics.ts").ExecutionRecord;

/** Runs shown by `metrics show`. */
const SHOWN_RUNS = 10;

function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: as if unset
  }
}

/** Core failures become one-line CLI errors: bad input exits 2, the rest 1. */
async function withMetrics<T>(fn: (m: Metrics) => Promise<T>): Promise<T> {
  const m = await import("../state/metrics.ts");
  try {
    return await fn(m);
  } catch (err) {
    if (err instanceof m.MetricsError) {
      throw new CliError(err.message, err.kind === "invalid" ? 2 : 1);
    }
    throw err;
  }
}

function reportSkipped(prog: string, rel: string, skipped: { line: number; reason: string }[]) {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 5).map((s) => `line ${s.line}: ${s.reason}`).join("; ");
  const more = skipped.length > 5 ? `; and ${skipped.length - 5} more` : "";
  warn(
    prog,
    `${rel}: skipped ${skipped.length} invalid line${
      skipped.length === 1 ? "" : "s"
    } (${shown}${more})`,
    "notice",
  );
}

/** `1009` → `16m 49s` (the bundle's metrics section shows the same). */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** One line a person can read at the end of a session. */
function summaryLine(s: Summary): string {
  if (s.runs === 0) return `${s.agent}: no runs recorded`;
  const last = s.last_run_at
    ? `; last run ${s.last_run_at} ${s.last_success ? "succeeded" : "failed"}`
    : "";
  return `${s.agent}: ${s.runs} run${s.runs === 1 ? "" : "s"}, ${s.successes} succeeded (${
    (s.success_rate * 100).toFixed(1)
  }%), average ${duration(s.avg_time_seconds)}, average quality ${
    s.avg_quality === null ? "-" : s.avg_quality.toFixed(2)
  }${last}`;
}

/** `kaizen metrics record`. */
export async function recordCommand(inv: Invocation): Promise<number> {
  const prog = programName();
  const agent = inv.args[0];
  // Everything is checked before anything is touched: a refused record writes nothing.
  const success = inv.opts.success === true;
  const failure = inv.opts.failure === true;
  if (success === failure) {
    throw new CliError(
      success
        ? "give either --success or --failure, not both"
        : "say how the run went: --success or --failure",
      2,
    );
  }
  if (typeof inv.opts.time !== "string") throw new CliError("--time <seconds> is required", 2);
  if (typeof inv.opts.quality !== "string") throw new CliError("--quality <0-1> is required", 2);
  const root = await resolveTarget(inv.opts.target);
  const now = resolveNow(inv.opts.now);
  const sink = inv.opts.sink;
  if (sink !== undefined && sink !== "nats") {
    throw new CliError(`--sink must be 'nats', got '${printable(String(sink))}'`, 2);
  }

  const { result, rel, m } = await withMetrics(async (m) => {
    const input = {
      success,
      time_seconds: m.parseTimeSeconds(inv.opts.time as string),
      quality: m.parseQuality(inv.opts.quality as string),
      notes: typeof inv.opts.notes === "string" ? inv.opts.notes : undefined,
      helix: m.helixFromEnv(processEnv),
    };
    const result = await m.recordExecution(root, agent, input, { now });
    return { result, rel: (await import("../state/layout.ts")).executionsPath(agent), m };
  });
  reportSkipped(prog, rel, result.skipped);
  if (result.redactions > 0) {
    warn(
      prog,
      `redacted ${result.redactions} secret${
        result.redactions === 1 ? "" : "s"
      } from --notes before writing`,
    );
  }
  stdout(
    inv.opts.format === "json"
      ? JSON.stringify(result.summary, null, 2) + "\n"
      : summaryLine(result.summary) + "\n",
  );
  if (sink !== "nats") return 0;
  return await publish(prog, root, inv, m.metricsRecorded, result);
}

/**
 * `--sink nats`: publishes `kaizen.metrics.recorded`. The record is already
 * written; a failed publish exits 1 so a runner notices, and says that the
 * record is kept (recording again would count the run twice).
 */
async function publish(
  prog: string,
  root: string,
  inv: Invocation,
  build: Metrics["metricsRecorded"],
  result: { record: ExecutionRecord; summary: Summary },
): Promise<number> {
  const [{ METRICS_RECORDED }, { eventMessageId }, url, slug, safe, redact] = await Promise.all([
    import("../events/subjects.ts"),
    import("../events/payloads.ts"),
    import("../nats/url.ts"),
    import("../repo/slug.ts"),
    import("../fs/safe_read.ts"),
    import("../redact/mod.ts"),
  ]);
  const clean = async (text: string) =>
    printable((await redact.redactSecrets(text, { source: "sink" })).text, 300);
  try {
    const natsUrl = (typeof inv.opts["nats-url"] === "string" ? inv.opts["nats-url"] : "") ||
      processEnv("NATS_URL") || url.DEFAULT_NATS_URL;
    url.parseNatsUrl(natsUrl);
    const files = await safe.createSafeReader(root);
    const { slug: repo } = await slug.resolveRepoSlug(files, undefined, processEnv);
    const payload = build(result.record, result.summary, { repo, root: files.root });
    // Same repo, agent and instant → same id: a retried publish is stored once.
    const msgId = await eventMessageId(
      METRICS_RECORDED,
      files.root,
      result.record.agent,
      result.record.recorded_at,
    );
    const { publishEvent } = await import("../nats/publish.ts");
    const r = await publishEvent(new TextEncoder().encode(JSON.stringify(payload)), {
      url: natsUrl,
      subject: METRICS_RECORDED,
      msgId,
      env: processEnv,
    });
    const where = `${METRICS_RECORDED} on ${url.maskUrl(natsUrl)}`;
    const said = r.mode === "core"
      ? `published to ${where} (no stream: not persisted)`
      : r.duplicate
      ? `duplicate: already in stream ${r.stream} (seq ${r.seq}), ${where}`
      : `stored in stream ${r.stream} as seq ${r.seq}, ${where}`;
    warn(prog, `sink 'nats': ${said}`, "notice");
    return 0;
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) throw err;
    const why = await clean(String((err as Error)?.message ?? err).split("\n")[0]);
    warn(
      prog,
      `sink 'nats' failed: ${why} (the record is written; do not record it again)`,
      "error",
    );
    return 1;
  }
}

/** `kaizen metrics show`. */
export async function showCommand(inv: Invocation): Promise<number> {
  const prog = programName();
  const agent = inv.args[0];
  const root = await resolveTarget(inv.opts.target);
  const { reading, rel } = await withMetrics(async (m) => ({
    reading: await m.readMetrics(root, agent),
    rel: (await import("../state/layout.ts")).executionsPath(agent),
  }));
  reportSkipped(prog, rel, reading.skipped);
  const recent = reading.records.slice(-SHOWN_RUNS).reverse();
  if (inv.opts.format === "json") {
    stdout(
      JSON.stringify(
        {
          summary: reading.summary,
          summary_source: reading.summarySource,
          recent_runs: recent,
          skipped_lines: reading.skipped.length,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  if (!reading.exists) {
    stdout(`${agent}: no runs recorded yet (record one with 'kaizen metrics record ${agent}')\n`);
    return 0;
  }
  const { renderTable } = await import("../text/table.ts");
  const lines = [summaryLine(reading.summary)];
  if (reading.summarySource === "derived") {
    lines.push("(summary derived from the records: summary.json is missing or out of date)");
  }
  if (recent.length > 0) {
    lines.push(
      "",
      `Latest ${recent.length} of ${reading.records.length} runs:`,
      renderTable(
        ["WHEN", "OUTCOME", "TIME", "QUALITY", "NOTES"],
        recent.map((r) => [
          printable(r.recorded_at, 40),
          r.success ? "success" : "failure",
          duration(r.time_seconds),
          r.quality.toFixed(2),
          // Records are read from the repo: never a raw control character to the terminal.
          printable(r.notes ?? "", 60),
        ]),
      ).trimEnd(),
    );
  }
  stdout(lines.join("\n") + "\n");
  return 0;
}

const target: OptionSpec = {
  name: "target",
  type: "string",
  valueName: "PATH",
  description: "Repository to act on",
  default: ".",
};

const agentArg = { name: "agent", description: "Agent whose runs these are", required: true };

/** The `metrics` command group. */
export const metricsCommand: CommandSpec = {
  name: "metrics",
  description: "Record how agent sessions went and show the summary the next bundle reads",
  subcommands: [
    {
      name: "record",
      description: "Append one execution record and update summary.json",
      args: [agentArg],
      options: [
        target,
        { name: "success", type: "boolean", description: "The session reached its goal" },
        { name: "failure", type: "boolean", description: "The session did not reach its goal" },
        {
          name: "time",
          type: "string",
          valueName: "SECONDS",
          description: "Session length in seconds (0-604800)",
        },
        {
          name: "quality",
          type: "string",
          valueName: "0-1",
          description: "Quality of the outcome, from 0 to 1",
        },
        {
          name: "notes",
          type: "string",
          valueName: "TEXT",
          description: "What happened, in a line (secrets are redacted)",
        },
        {
          name: "now",
          type: "string",
          valueName: "ISO",
          description: "Record at this instant instead of the clock",
        },
        {
          name: "format",
          type: "string",
          choices: ["text", "json"],
          default: "text",
          description: "How to print the new summary",
        },
        {
          name: "sink",
          type: "string",
          choices: ["nats"],
          description: "Also publish kaizen.metrics.recorded",
        },
        {
          name: "nats-url",
          type: "string",
          valueName: "URL",
          description:
            "NATS server for --sink nats (default: $NATS_URL, else nats://127.0.0.1:4222)",
        },
      ],
      epilog:
        "HELIX_SESSION_UID, HELIX_REPO, HELIX_FLAVOR, HELIX_TOKENS and HELIX_INFRA_OVERHEAD_SHARE\nare merged into the record when set.",
      run: recordCommand,
    },
    {
      name: "show",
      description: "Show an agent's summary and latest runs",
      args: [agentArg],
      options: [
        target,
        {
          name: "format",
          type: "string",
          choices: ["table", "json"],
          default: "table",
          description: "Output format",
        },
      ],
      run: showCommand,
    },
  ],
};
