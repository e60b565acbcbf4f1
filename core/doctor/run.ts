/**
 * Runs doctor probes concurrently, each under its own deadline, and folds
 * their checks into one report in a stable order (probe order, then report
 * order inside a probe).
 *
 * Why a per-probe deadline plus a step marker: a hub that accepts the TCP
 * connection and never answers must cost at most its probe's deadline, and
 * the operator must learn *which* step hung. Every string passes a final
 * scrub of the known credentials, so no probe can leak one by accident.
 *
 * @module
 */
import {
  type CheckResult,
  type CheckStatus,
  type DoctorContext,
  type DoctorReport,
  oneLine,
  type Probe,
  type Reporter,
} from "./model.ts";

/** Probes' context minus the per-probe abort signal the runner adds. */
export type DoctorBaseContext = Omit<DoctorContext, "signal">;

export interface RunDoctorOptions {
  /** Credential strings (tokens, URL passwords) to mask in every detail and fix. */
  secrets?: readonly string[];
}

/** Secrets shorter than this are masked only where they stand as a word. */
const SHORT_SECRET = 8;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Runs every probe; never throws (a probe that throws reports a failure). */
export async function runDoctor(
  probes: readonly Probe[],
  base: DoctorBaseContext,
  options: RunDoctorOptions = {},
): Promise<DoctorReport> {
  const secrets = [...new Set((options.secrets ?? []).filter((s) => s.length >= 3))]
    .sort((a, b) => b.length - a.length)
    .map((s) =>
      // A short value (a test token, `tok`) is masked as a word of its own:
      // masked inside longer words it turns "tokens" into "***ens". A long
      // one is masked wherever it appears.
      s.length < SHORT_SECRET
        ? new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(s)}(?![A-Za-z0-9])`, "g")
        : s
    );
  const scrub = (text: string) => {
    let out = text;
    for (const s of secrets) {
      out = typeof s === "string" ? out.split(s).join("***") : out.replace(s, "***");
    }
    return oneLine(out);
  };
  const perProbe = await Promise.all(probes.map((p) => runProbe(p, base)));
  const checks = perProbe.flat().map((c) => ({
    ...c,
    detail: scrub(c.detail),
    fix: c.fix === null ? null : scrub(c.fix),
  }));
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  const summary = {
    pass: count("pass"),
    warn: count("warn"),
    fail: count("fail"),
    skip: count("skip"),
    ok: count("fail") === 0,
  };
  return { checks, summary };
}

async function runProbe(probe: Probe, base: DoctorBaseContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  if (probe.network && base.offline) {
    results.push({
      id: `${probe.area}.reachable`,
      status: "skip",
      detail: "skipped: --offline",
      fix: null,
    });
    return results;
  }
  let current: { id: string; fix: string } = {
    id: `${probe.area}.error`,
    fix: "re-run with KAIZEN_DEBUG=1 and report the error",
  };
  let done = false;
  const push = (id: string, status: CheckStatus, detail: string, fix: string | null) => {
    if (!done) results.push({ id, status, detail, fix });
  };
  const reporter: Reporter = {
    step: (id, fix) => (current = { id, fix }),
    pass: (id, detail) => push(id, "pass", detail, null),
    warn: (id, detail, fix) => push(id, "warn", detail, fix),
    fail: (id, detail, fix) => push(id, "fail", detail, fix),
    skip: (id, detail) => push(id, "skip", detail, null),
  };
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), probe.deadlineMs);
  });
  const work = (async () => {
    try {
      await probe.run({ ...base, signal: controller.signal }, reporter);
      return "done" as const;
    } catch (err) {
      return err;
    }
  })();
  try {
    const outcome = await Promise.race([work, expired]);
    if (outcome === "expired") {
      const seconds = Math.round(probe.deadlineMs / 100) / 10;
      push(current.id, "fail", `no answer within ${seconds} s`, current.fix);
      controller.abort();
    } else if (outcome !== "done") {
      const message = (outcome as Error)?.message ?? String(outcome);
      push(current.id, "fail", message, current.fix);
    }
  } finally {
    done = true;
    clearTimeout(timer);
    // Unblock any socket the probe still holds; its late reports are dropped.
    if (!controller.signal.aborted) controller.abort();
  }
  return results;
}
