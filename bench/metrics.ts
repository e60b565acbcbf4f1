/**
 * `kaizen metrics record` benchmark (issue #10): whole processes of the
 * bundled CLI (`dist/kaizen.js`, run `deno task bundle` first) against
 * Deno's empty script.
 *
 * - `record`: an agent with a short history (it grows by one line a run).
 * - `record-100k`: an agent with 100,000 past records (about 15 MiB of
 *   `executions.jsonl`), built once in a temporary folder; the running state
 *   (`summary.state.json`) is created by the warm-up, so the measured runs are
 *   the steady state every later session sees.
 * - `record-100k-full` (informational, no target): the same agent with the
 *   state deleted before every run, i.e. what each record would cost if it
 *   re-read the whole history.
 *
 * Runs are interleaved round-robin (empty, then each case) so machine noise
 * lands on all of them alike; numbers are medians.
 *
 * `bench/run.ts` may call {@link measureMetrics}; run alone with
 * `deno run --allow-all bench/metrics.ts [--runs N] [--no-build]` (prints JSON).
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const BUNDLE = `${ROOT}/dist/kaizen.js`;
const DENO = Deno.execPath();
/** Past records of the large history. */
export const LARGE_HISTORY = 100_000;
/** Targets from issue #10: × the empty script's median. */
export const METRICS_TARGETS = { record: 3, record100k: 5 } as const;

/** One case's numbers. */
export interface MetricsRow {
  id: "record" | "record-100k" | "record-100k-full";
  label: string;
  /** Valid records in the log before the first measured run. */
  pastRecords: number;
  medianMs: number;
  emptyMedianMs: number;
  /** `medianMs / emptyMedianMs`. */
  ratio: number;
  /** Largest acceptable ratio, or null for an informational row. */
  target: number | null;
  runs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** 100,000 plausible records, one a day-ish, as `executions.jsonl` text. */
function largeHistory(agent: string, n: number): string {
  // A small deterministic PRNG: the same file on every machine.
  let seed = 20261122;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const start = Date.parse("2016-01-01T00:00:00Z");
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      JSON.stringify({
        agent,
        recorded_at: new Date(start + i * 3_000_000).toISOString().replace(".000Z", "Z"),
        success: rand() < 0.85,
        time_seconds: 60 + Math.floor(rand() * 3540),
        quality: Math.round(rand() * 100) / 100,
        notes: `bench run ${i}: fixed one lint finding and added a test`,
      }) + "\n",
    );
  }
  return parts.join("");
}

async function run(cmd: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  if (out.code !== 0) {
    throw new Error(
      `${cmd.slice(-8).join(" ")} exited ${out.code}: ${
        new TextDecoder().decode(out.stderr).trim().split("\n")[0]
      }`,
    );
  }
  return ms;
}

/**
 * Measures the cases above with `runs` measured rounds (at least 10) after
 * `warmup` rounds. Needs `dist/kaizen.js`.
 */
export async function measureMetrics(
  options: { runs?: number; warmup?: number; fullRuns?: number } = {},
): Promise<MetricsRow[]> {
  const runs = Math.max(10, options.runs ?? 15);
  const warmup = options.warmup ?? 2;
  const fullRuns = options.fullRuns ?? 5;
  try {
    await Deno.stat(BUNDLE);
  } catch {
    throw new Error(`${BUNDLE} is missing: run \`deno task bundle\` first`);
  }
  const tmp = await Deno.realPath(await Deno.makeTempDir({ prefix: "kaizen-bench-metrics-" }));
  try {
    await Deno.writeTextFile(`${tmp}/empty.ts`, "");
    const small = `${tmp}/small`;
    const large = `${tmp}/large`;
    await Deno.mkdir(`${tmp}/xdg`);
    await Deno.mkdir(`${small}/.kaizen/metrics/coach`, { recursive: true });
    await Deno.mkdir(`${large}/.kaizen/metrics/coach`, { recursive: true });
    await Deno.writeTextFile(
      `${small}/.kaizen/metrics/coach/executions.jsonl`,
      largeHistory("coach", 20),
    );
    await Deno.writeTextFile(
      `${large}/.kaizen/metrics/coach/executions.jsonl`,
      largeHistory("coach", LARGE_HISTORY),
    );
    const env = { NO_COLOR: "1", XDG_CONFIG_HOME: `${tmp}/xdg`, KAIZEN_REPO: "" };
    const record = (target: string) => [
      DENO,
      "run",
      ...CLI_PERMISSIONS,
      BUNDLE,
      "metrics",
      "record",
      "coach",
      "--success",
      "--time",
      "600",
      "--quality",
      "0.8",
      "--notes",
      "bench",
      "--target",
      target,
    ];
    const empty = [DENO, "run", `${tmp}/empty.ts`];
    const state = `${large}/.kaizen/metrics/coach/summary.state.json`;

    const times = { empty: [] as number[], record: [] as number[], large: [] as number[] };
    for (let i = 0; i < warmup + runs; i++) {
      // Rotate the starting case each round.
      const order = [0, 1, 2].map((k) => (k + i) % 3);
      for (const k of order) {
        const ms = k === 0
          ? await run(empty, env)
          : await run(record(k === 1 ? small : large), env);
        if (i < warmup) continue;
        (k === 0 ? times.empty : k === 1 ? times.record : times.large).push(ms);
      }
    }
    // What every record would cost without the running state: a full read each time.
    const full: number[] = [];
    for (let i = 0; i < fullRuns; i++) {
      await Deno.remove(state);
      full.push(await run(record(large), env));
    }
    const e = median(times.empty);
    const row = (
      id: MetricsRow["id"],
      label: string,
      past: number,
      xs: number[],
      target: number | null,
    ): MetricsRow => ({
      id,
      label,
      pastRecords: past,
      medianMs: Math.round(median(xs) * 10) / 10,
      emptyMedianMs: Math.round(e * 10) / 10,
      ratio: Math.round((median(xs) / e) * 100) / 100,
      target,
      runs: xs.length,
    });
    return [
      row("record", "metrics record (short history)", 20, times.record, METRICS_TARGETS.record),
      row(
        "record-100k",
        "metrics record, 100,000 past records (incremental)",
        LARGE_HISTORY,
        times.large,
        METRICS_TARGETS.record100k,
      ),
      row(
        "record-100k-full",
        "metrics record, 100,000 past records, no state (full read; informational)",
        LARGE_HISTORY,
        full,
        null,
      ),
    ];
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--runs");
  const runs = at >= 0 ? Number(args[at + 1]) : undefined;
  if (!args.includes("--no-build")) {
    const b = await new Deno.Command(DENO, {
      args: ["task", "bundle"],
      cwd: ROOT,
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (b.code !== 0) Deno.exit(b.code);
  }
  const rows = await measureMetrics({ runs });
  console.log(JSON.stringify(
    rows.map((r) => ({ ...r, met: r.target === null ? null : r.ratio <= r.target })),
    null,
    2,
  ));
}
