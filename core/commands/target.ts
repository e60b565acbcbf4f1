import { printable } from "../text/printable.ts";
import { CliError } from "../cli/io.ts";
import { resolve } from "../fs/paths.ts";
import { nonEmptyEnv, processEnv } from "../env.ts";
import type { TypedInvocation } from "../cli/framework.ts";
import type { ROSTER_OPTIONS } from "./options.ts";
import type { RosterSource } from "../roster/discover.ts";

/**
 * Resolves `--target` and checks it is an existing directory (exit 2
 * otherwise). The message is printable: a folder name can hold escape sequences.
 */
export async function resolveTarget(target: string | undefined): Promise<string> {
  const raw = target || ".";
  // Quoted in errors: a folder name can hold escape sequences.
  const given = printable(raw, 300);
  const root = resolve(raw);
  try {
    const info = await Deno.stat(root);
    if (!info.isDirectory) throw new CliError(`--target '${given}' is not a directory`, 2);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof Deno.errors.NotFound) {
      throw new CliError(`--target '${given}' does not exist`, 2);
    }
    const why = printable(err instanceof Error ? err.message : String(err), 200);
    throw new CliError(`--target '${given}' cannot be read: ${why}`, 2);
  }
  return root;
}

/** `--host NAME`, else this machine's hostname (exit 2 when it cannot be read). */
export function resolveHost(given: string | undefined): string {
  if (given) return given;
  try {
    return Deno.hostname();
  } catch {
    throw new CliError("cannot tell this machine's hostname; pass --host NAME", 2);
  }
}

/**
 * `--nats-url`, else `$NATS_URL`, else the default server; refused (exit 2)
 * when it is not a NATS URL. The URL module loads only for commands that
 * talk to NATS.
 */
export async function resolveNatsUrl(flag: string | undefined): Promise<string> {
  const url = await import("../nats/url.ts");
  const chosen = flag || processEnv("NATS_URL") || url.DEFAULT_NATS_URL;
  try {
    url.parseNatsUrl(chosen);
  } catch (err) {
    throw new CliError(printable((err as Error).message, 300), 2);
  }
  return chosen;
}

/** The roster options, as `roster discover`, `fleet status` and `fleet publish-roster` read them. */
export type RosterOptions = TypedInvocation<typeof ROSTER_OPTIONS>["opts"];

/** Whether a roster source was named on the command line. */
export function rosterGiven(opts: RosterOptions): boolean {
  return [opts.hub, opts.roster, opts.scan].some((x) => x !== undefined);
}

/**
 * `--hub`, `--roster` or `--scan` (exit 2 for more than one), else
 * `$STATE_HUB_URL`, else a scan of the current folder; with the host and
 * filters, what the roster resolver is asked.
 */
export function resolveRosterQuery(opts: RosterOptions): {
  source: RosterSource;
  host: string;
  domain?: string;
  agent?: string;
  hubFilter: boolean;
} {
  if ([opts.hub, opts.roster, opts.scan].filter((x) => x !== undefined).length > 1) {
    throw new CliError("give one roster source: --hub, --roster or --scan", 2);
  }
  const url = opts.hub ?? nonEmptyEnv("STATE_HUB_URL");
  const source: RosterSource = opts.roster
    ? { kind: "roster-file", path: opts.roster }
    : opts.scan
    ? { kind: "scan", dir: opts.scan }
    : url
    ? { kind: "hub", url, token: nonEmptyEnv("STATE_HUB_TOKEN") }
    : { kind: "scan", dir: "." };
  return {
    source,
    host: resolveHost(opts.host),
    domain: opts.domain,
    agent: opts.agent,
    hubFilter: opts["hub-filter"],
  };
}
