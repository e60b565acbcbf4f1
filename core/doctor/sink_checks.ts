/**
 * The NATS and artifact-store readiness checks, for the sinks that declare
 * them (`SinkPlugin.check`): the probes themselves load on the first call.
 *
 * @module
 */
import type { SinkCheckContext } from "../plugin/types.ts";
import type { DoctorContext, Probe } from "./model.ts";

/** Runs `probe` (its module loaded on this first use) for a sink, on the sink's report. */
async function runProbe(
  probe: Promise<Probe>,
  ctx: SinkCheckContext,
  over: Partial<DoctorContext>,
): Promise<void> {
  const probeCtx = { host: "", offline: false, env: ctx.env, now: ctx.now, signal: ctx.signal };
  await (await probe).run({ ...probeCtx, ...over }, ctx.report);
}

/**
 * Checks a NATS server the way the NATS sink would use it, publishing
 * nothing: reachable, credentials, JetStream, a stream for
 * `kaizen.schedule.prepared`, its duplicate window, the publish permission.
 * An undefined `url` is reported as not configured (skipped).
 */
export async function checkNatsServer(
  url: string | undefined,
  ctx: SinkCheckContext,
): Promise<void> {
  await runProbe(import("./probe_nats.ts").then((m) => m.natsProbe), ctx, { natsUrl: url });
}

/**
 * Checks an artifact store with one read-only request (reachable, token
 * accepted), uploading nothing. An undefined `url` is reported as not
 * configured (skipped).
 */
export async function checkArtifactStore(
  url: string | undefined,
  ctx: SinkCheckContext,
): Promise<void> {
  const probe = import("./probe_artifact_store.ts").then((m) => m.artifactStoreProbe);
  await runProbe(probe, ctx, { artifactStoreUrl: url });
}
