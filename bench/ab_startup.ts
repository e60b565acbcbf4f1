/**
 * Start-up of two builds side by side: whole `deno run dist/kaizen.js …`
 * processes of a "before" and an "after" checkout on the pilot, interleaved
 * (the order alternates each round) so machine noise lands on both alike.
 * For judging one change, this is sharper than comparing the ratio tables of
 * two `bench/run.ts` runs made minutes apart.
 *
 * ```sh
 * git worktree add /tmp/before <commit> && (cd /tmp/before && deno task bundle)
 * deno task bundle
 * deno run --allow-all bench/ab_startup.ts /tmp/before . [rounds]
 * ```
 *
 * Prints a markdown table: medians and minimums, and after ÷ before.
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";
import { quantile } from "./run.ts";

const PILOT = new URL("../examples/pilot", import.meta.url).pathname;
const NOW = "2026-11-23T08:00:00Z";
const CASES: Record<string, string[]> = {
  "`--version`": ["--version"],
  "`schedule validate`": ["schedule", "validate", "--target", PILOT],
  "`schedule list`": ["schedule", "list", "--target", PILOT, "--now", NOW],
  "`schedule prepare coach`": ["schedule", "prepare", "coach", "--target", PILOT, "--now", NOW],
};
const WARMUP = 3;

async function once(root: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_PERMISSIONS, `${root}/dist/kaizen.js`, ...args],
    cwd: root,
    stdout: "null",
    stderr: "null",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  if (!out.success) throw new Error(`${root}: ${args.join(" ")} exited ${out.code}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const [before, after, rounds = "50"] = Deno.args;
  if (!before || !after || !(Number(rounds) > 0)) {
    console.error("usage: deno run --allow-all bench/ab_startup.ts BEFORE_DIR AFTER_DIR [ROUNDS]");
    Deno.exit(2);
  }
  const times = new Map<string, number[]>();
  for (let i = 0; i < WARMUP + Number(rounds); i++) {
    for (const [name, args] of Object.entries(CASES)) {
      for (const side of i % 2 ? ["before", "after"] : ["after", "before"]) {
        const ms = await once(side === "before" ? before : after, args);
        if (i >= WARMUP) {
          times.set(`${name} ${side}`, [...(times.get(`${name} ${side}`) ?? []), ms]);
        }
      }
    }
  }
  const cell = (xs: number[]) => `${quantile(xs, 0.5).toFixed(1)} / ${Math.min(...xs).toFixed(1)}`;
  console.log(
    "| Command | before: median / min ms | after: median / min ms | after ÷ before (median / min) |",
  );
  console.log("|---|---:|---:|---:|");
  for (const name of Object.keys(CASES)) {
    const [b, a] = [times.get(`${name} before`)!, times.get(`${name} after`)!];
    const median = quantile(a, 0.5) / quantile(b, 0.5);
    console.log(
      `| ${name} | ${cell(b)} | ${cell(a)} | ${median.toFixed(3)} / ${
        (Math.min(...a) / Math.min(...b)).toFixed(3)
      } |`,
    );
  }
}

if (import.meta.main) await main();
