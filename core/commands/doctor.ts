/**
 * `kaizen doctor`: one command says whether this runner host (and the repo
 * it is pointed at) is ready for scheduled runs. The probes live in
 * core/doctor/; this file resolves the options, collects the credentials the
 * runner must mask, and prints the report (text, or JSON checked against
 * `DoctorReportModel`).
 *
 * @module
 */
import type { TypedInvocation } from "../cli/framework.ts";
import type { DOCTOR_OPTIONS } from "./options.ts";
import { stdout, useColorOnStdout } from "../cli/io.ts";
import { nonEmptyEnv } from "../env.ts";
import { userinfoSecrets } from "../net/userinfo.ts";
import { join, resolve } from "../fs/paths.ts";
import { DoctorReportModel, type Probe } from "../doctor/model.ts";
import { runDoctor } from "../doctor/run.ts";
import { renderDoctorText } from "../doctor/render.ts";
import { binaryProbe } from "../doctor/probe_binary.ts";
import { repoProbe } from "../doctor/probe_repo.ts";
import { hubProbe } from "../doctor/probe_hub.ts";
import { sinkProbes } from "../doctor/probe_sinks.ts";
import { inProcessRegistry, type PluginSources } from "../plugin/build.ts";
import { resolveHost, resolveTarget } from "./target.ts";

/** kaizen's own probes, in report order; the loaded sinks' checks follow them. */
export const DOCTOR_PROBES: readonly Probe[] = [binaryProbe, repoProbe, hubProbe];

/**
 * Environment variables of doctor's own checks that hold credentials: masked
 * in every detail and fix, like each checked sink's `credentialVariables`.
 */
export const SECRET_VARIABLES: readonly string[] = ["STATE_HUB_TOKEN"];

/** Query parameters that carry a credential when a URL has one (`?token=…`, `?api_key=…`). */
const SECRET_PARAM = /token|pass|secret|key|auth|sig|credential/i;

/**
 * The credential parts of a URL: its password, or a lone user name (a NATS
 * token), and the values of credential-looking query parameters.
 */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  const parts: string[] = [];
  const query = /\?([^#\s]*)/.exec(url);
  for (const pair of query ? query[1].split("&") : []) {
    const eq = pair.indexOf("=");
    if (eq > 0 && SECRET_PARAM.test(pair.slice(0, eq))) parts.push(pair.slice(eq + 1));
  }
  // The userinfo runs to the last `@` before the host: a password may hold `@`.
  parts.push(...userinfoSecrets(url));
  const out: string[] = [];
  for (const p of parts) {
    if (p === "") continue;
    out.push(p);
    try {
      const decoded = decodeURIComponent(p);
      if (decoded !== p) out.push(decoded);
    } catch { /* not percent-encoded */ }
  }
  return out;
}

/** `--target`, else the current folder when it has `.kaizen/`, else none. */
async function doctorTarget(given: string | undefined): Promise<string | undefined> {
  if (given) return await resolveTarget(given);
  const cwd = resolve(".");
  try {
    if ((await Deno.stat(join(cwd, ".kaizen"))).isDirectory) return cwd;
  } catch { /* no .kaizen/ here */ }
  return undefined;
}

/**
 * Runs `kaizen doctor`; exit 0 when no check failed, 1 otherwise. Besides
 * its own probes it runs the readiness check of every loaded sink that
 * declares one (an external-command sink has none), with the sink's options
 * resolved from this command line and the environment.
 */
export async function doctorCommand(
  inv: TypedInvocation<typeof DOCTOR_OPTIONS>,
  runtime: { plugins: PluginSources },
): Promise<number> {
  const o = inv.opts;
  const target = await doctorTarget(o.target);
  // Without the hostname permission doctor still runs: binary.permissions
  // names the missing flag and hub.repo says what it could not compare.
  let host = "";
  try {
    host = resolveHost(o.host);
  } catch { /* reported by the checks that need it */ }
  const hubUrl = o.hub || nonEmptyEnv("STATE_HUB_URL");
  const sinks = sinkProbes(inProcessRegistry(runtime.plugins).sinks(), inv.opts, nonEmptyEnv);
  const secrets = [
    ...SECRET_VARIABLES.map(nonEmptyEnv).filter((s): s is string => s !== undefined),
    ...sinks.credentials,
    ...[hubUrl, ...sinks.urls].flatMap(urlSecrets),
  ];
  const report = await runDoctor([...DOCTOR_PROBES, ...sinks.probes], {
    target,
    host,
    agent: o.agent || undefined,
    hubUrl,
    plugins: runtime.plugins,
    offline: o.offline,
    pluginsFile: o.plugins || undefined,
    trustRepoPlugins: o["trust-repo-plugins"],
    env: nonEmptyEnv,
    now: new Date(),
  }, { secrets });
  if (o.format === "json") {
    stdout(JSON.stringify(DoctorReportModel.parse(report), null, 2) + "\n");
  } else {
    stdout(renderDoctorText(report, useColorOnStdout()));
  }
  return report.summary.ok ? 0 : 1;
}
