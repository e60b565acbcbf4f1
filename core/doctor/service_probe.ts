/**
 * What the service probes (hub, NATS, artifact store) share: each checks a
 * server over the network under the same deadline, and a service with no URL
 * configured is skipped, not failed, since a host need not use it.
 *
 * @module
 */
import type { DoctorContext, Probe, Reporter } from "./model.ts";

/** A service probe's deadline: a connect, a TLS handshake and a request or two. */
export const SERVICE_DEADLINE_MS = 8_000;

/** One service probe: where its URL comes from and what it checks there. */
export interface ServiceProbeSpec {
  /** Area name, the prefix of its check ids; `<area>.reachable` reports the skip. */
  area: string;
  /** The service's URL, when one is configured. */
  url(ctx: DoctorContext): string | undefined;
  /** How to configure it, said in the skip (`pass --hub URL or set …`). */
  configure: string;
  /** The checks, given the configured URL. */
  check(url: string, ctx: DoctorContext, report: Reporter): Promise<void>;
}

/** The network probe of an optional service (see the module comment). */
export function serviceProbe(spec: ServiceProbeSpec): Probe {
  return {
    area: spec.area,
    network: true,
    deadlineMs: SERVICE_DEADLINE_MS,
    async run(ctx, report) {
      const url = spec.url(ctx);
      if (!url) {
        report.skip(`${spec.area}.reachable`, `not configured: ${spec.configure}`);
        return;
      }
      await spec.check(url, ctx, report);
    },
  };
}
