/**
 * Start-up cost of kaizen's heavy imports, one process per import, to guide
 * lazy loading. Each probe is a tiny entry file that imports one module and
 * touches it once (so lazily initialised state, e.g. the redactor's compiled
 * rules, is paid too). Every probe runs two ways:
 *
 * - source: `deno run --config deno.json probe.ts` (npm resolution at run time);
 * - bundle: `deno bundle --platform browser --code-splitting` of the probe (as
 *   `scripts/bundle.ts` builds `dist/`), then `deno run` of the entry chunk.
 *
 * The reported cost is the probe's median wall time minus the empty probe's,
 * measured in the same interleaved run.
 *
 * `deno run --allow-all bench/startup_breakdown.ts [--runs N]` (default 20).
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

import { quantile } from "./run.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const DENO = Deno.execPath();
const PERMS = CLI_PERMISSIONS;
const CONFIG = ["--config", `${ROOT}/deno.json`, "--frozen-lockfile"];
const redact = `file://${ROOT}/core/redact/mod.ts`;

const PROBES: Array<{ id: string; code: string }> = [
  { id: "empty", code: "" },
  { id: "yaml", code: `import { parseDocument } from "yaml"; parseDocument("a: 1\\n");` },
  { id: "zod", code: `import { z } from "zod"; z.object({ a: z.string() }).parse({ a: "x" });` },
  {
    id: "yaml + zod",
    code: `import { parseDocument } from "yaml"; import { z } from "zod";
parseDocument("a: 1\\n"); z.object({ a: z.string() }).parse({ a: "x" });`,
  },
  {
    id: "time engine: validate a zone + 5 next runs in Europe/Berlin (Temporal)",
    code: `import { nextRuns } from ${JSON.stringify(`file://${ROOT}/core/time/runs.ts`)};
nextRuns("0 8 * * 1", "Europe/Berlin", new Date(), 5);`,
  },
  { id: "core/redact/mod.ts (import only)", code: `import ${JSON.stringify(redact)};` },
  {
    id: "core/redact/mod.ts + first redactSecrets()",
    code: `import { redactSecrets } from ${JSON.stringify(redact)};
await redactSecrets("hello world\\n", { source: "memory.md" });`,
  },
  {
    id: "gpt-tokenizer/encoding/cl100k_base (what kaizen uses)",
    code: `import { countTokens } from "gpt-tokenizer/encoding/cl100k_base"; countTokens("hello");`,
  },
  {
    id: "gpt-tokenizer/encoding/o200k_base (the alternative we measured)",
    code: `import { countTokens } from "gpt-tokenizer/encoding/o200k_base"; countTokens("hello");`,
  },
  {
    // What carrying a BPE table (o200k: ~3.4 MB; cl100k: ~1.6 MB) costs when
    // the lazy path is never taken. Without --code-splitting `deno bundle` inlines it (≈ +16 ms); with
    // it, Deno still reads and hashes the chunk (its module graph follows
    // literal dynamic imports) but does not compile it.
    id: "cl100k_base behind a dynamic import() that is never taken",
    code: `if (Deno.args.includes("--never")) {
  await import("gpt-tokenizer/encoding/cl100k_base");
}`,
  },
];

const dec = new TextDecoder();

async function run(args: string[]): Promise<{ code: number; ms: number; stderr: string }> {
  const cmd = new Deno.Command(DENO, {
    args,
    cwd: ROOT,
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
  const t0 = performance.now();
  const out = await cmd.output();
  return { code: out.code, ms: performance.now() - t0, stderr: dec.decode(out.stderr) };
}

function parseRuns(args: string[]): number {
  const i = args.indexOf("--runs");
  if (i < 0) return 20;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error("startup_breakdown: --runs needs a positive integer");
    Deno.exit(2);
  }
  return n;
}

async function main() {
  const runs = parseRuns(Deno.args);
  const warmup = 3;
  const tmp = await Deno.makeTempDir({ prefix: "kaizen-breakdown-" });
  try {
    type Variant = {
      probe: string;
      mode: "source" | "bundle";
      args: string[];
      times: number[];
      failed?: string;
    };
    const variants: Variant[] = [];
    for (const [i, p] of PROBES.entries()) {
      const src = `${tmp}/probe${i}.ts`;
      const outdir = `${tmp}/probe${i}`;
      await Deno.writeTextFile(src, p.code + "\n");
      variants.push({
        probe: p.id,
        mode: "source",
        args: ["run", ...PERMS, ...CONFIG, src],
        times: [],
      });
      const b = await run([
        "bundle",
        "--quiet",
        ...CONFIG,
        "--platform",
        "browser",
        "--code-splitting",
        "--outdir",
        outdir,
        src,
      ]);
      variants.push({
        probe: p.id,
        mode: "bundle",
        args: ["run", ...PERMS, `${outdir}/probe${i}.js`],
        times: [],
        failed: b.code === 0 ? undefined : `bundle failed: ${b.stderr.trim().split("\n")[0]}`,
      });
    }
    for (const v of variants.filter((v) => !v.failed)) {
      const r = await run(v.args);
      if (r.code !== 0) v.failed = `exit ${r.code}: ${r.stderr.trim().split("\n")[0]}`;
    }
    for (let round = 0; round < warmup + runs; round++) {
      const active = variants.filter((v) => !v.failed);
      for (let k = 0; k < active.length; k++) {
        const v = active[(round + k) % active.length];
        const r = await run(v.args);
        if (r.code !== 0) v.failed = `exit ${r.code} on run ${round + 1}`;
        else if (round >= warmup) v.times.push(r.ms);
      }
    }

    const med = (v: Variant | undefined) => (v && !v.failed ? quantile(v.times, 0.5) : NaN);
    const find = (probe: string, mode: string) =>
      variants.find((v) => v.probe === probe && v.mode === mode);
    const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "—");
    const plus = (x: number) => (Number.isFinite(x) ? (x >= 0 ? "+" : "") + x.toFixed(1) : "—");
    const baseSrc = med(find("empty", "source"));
    const baseBundle = med(find("empty", "bundle"));
    const rows = [
      "| Import (and first use) | Source median ms | Δ source | Bundle median ms | Δ bundle |",
      "|---|---:|---:|---:|---:|",
    ];
    for (const p of PROBES) {
      const s = find(p.id, "source");
      const b = find(p.id, "bundle");
      rows.push(
        `| ${p.id} | ${s?.failed ? "FAILED" : fmt(med(s))} | ${plus(med(s) - baseSrc)} | ${
          b?.failed ? "FAILED" : fmt(med(b))
        } | ${plus(med(b) - baseBundle)} |`,
      );
    }
    console.log(rows.join("\n"));
    console.log(
      `\n${runs} runs per probe after ${warmup} warm-ups, interleaved; Δ = median minus the empty probe's median ` +
        `in the same mode. Deno ${Deno.version.deno}.`,
    );
    for (const v of variants.filter((v) => v.failed)) {
      console.log(`- ${v.probe} (${v.mode}): ${v.failed}`);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
