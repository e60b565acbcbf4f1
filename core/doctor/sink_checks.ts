/**
 * The NATS and artifact-store readiness checks, for the sinks that declare
 * them (`SinkPlugin.check`): the probes themselves load on the first call.
 *
 * @module
 */
import type { SinkCheckContext } from "../plugin/types.ts";
import type { DoctorContext } from "./model.ts";

function probeContext(ctx: SinkCheckContext, over: Partial<DoctorContext>): DoctorContext {
  return { host: "", offline: false, env: ctx.env, now: ctx.now, signal: ctx.signal, ...over };
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
  const { natsProbe } = await import("./probe_nats.ts");
  await natsProbe.run(probeContext(ctx, { natsUrl: url }), ctx.report);
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
  const { artifactStoreProbe } = await import("./probe_artifact_store.ts");
  await artifactStoreProbe.run(probeContext(ctx, { artifactStoreUrl: url }), ctx.report);
}
