/**
 * The state hub as a roster source: `GET {hub}/repos/`, optionally with the
 * v2 pre-filter. The hub is untrusted input like any server we do not own:
 * a deadline, a body cap, JSON of the documented shape or a clear error.
 *
 * @module
 */
import { readCapped } from "../http/read_capped.ts";
import { KaizenError } from "../errors.ts";
import type { RosterEntry } from "./types.ts";
import { duplicateSlugMessage, duplicateSlugs, slugProblem } from "./slug.ts";

/** Bodies larger than this are refused (10,000 repos are about 2 MiB). */
export const MAX_HUB_BODY_BYTES = 32 * 1024 * 1024;

/**
 * A hub that failed (code `hub`): one printable line, never the token. The
 * fetch's own error is not kept as `cause`: it may quote the token.
 */
export class HubError extends KaizenError {
  override name = "HubError";
  constructor(message: string) {
    super("hub", message);
  }
}

export interface HubOptions {
  url: string;
  token?: string;
  /** Sends `?kaizen_schedule_enabled=true` (and `domain`) as the v2 pre-filter. */
  hubFilter?: boolean;
  domain?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  timeoutMs?: number;
  maxBytes?: number;
}

function masked(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/i, "$1***@");
}

/** The roster from the hub. Throws {@link HubError}. */
export async function fetchHubRoster(opts: HubOptions): Promise<RosterEntry[]> {
  let endpoint: URL;
  try {
    // `/repos/` goes on the path: a base URL may carry a query (kept) or a fragment (dropped).
    endpoint = new URL(opts.url);
    endpoint.pathname = endpoint.pathname.replace(/\/+$/, "") + "/repos/";
    endpoint.hash = "";
  } catch {
    throw new HubError(`hub URL '${masked(opts.url)}' is not a URL`);
  }
  if (endpoint.protocol !== "http:" && endpoint.protocol !== "https:") {
    throw new HubError(`hub URL '${masked(opts.url)}' must be http or https`);
  }
  if (opts.hubFilter) {
    endpoint.searchParams.set("kaizen_schedule_enabled", "true");
    if (opts.domain) endpoint.searchParams.set("domain", opts.domain);
  }
  const shown = masked(endpoint.href);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const signal = AbortSignal.any([
    AbortSignal.timeout(timeoutMs),
    ...(opts.signal ? [opts.signal] : []),
  ]);
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let text: string;
  try {
    const res = await (opts.fetch ?? fetch)(endpoint, { headers, signal, redirect: "error" });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => {});
      throw new HubError(`hub ${shown} answered ${res.status}; check STATE_HUB_TOKEN`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new HubError(`hub ${shown} answered ${res.status}`);
    }
    const body = await readCapped(res, opts.maxBytes ?? MAX_HUB_BODY_BYTES);
    if (!body.ok) {
      throw new HubError(
        `hub ${shown} sent more than ${opts.maxBytes ?? MAX_HUB_BODY_BYTES} bytes; refusing it`,
      );
    }
    text = body.text;
  } catch (err) {
    if (err instanceof HubError) throw err;
    if (signal.aborted) throw new HubError(`hub ${shown} did not answer within ${timeoutMs} ms`);
    // Masked before the message is cut to one line: fetch quotes a header
    // value it refuses whole, and a token with a line break spans two lines.
    const said = err instanceof Error ? err.message : String(err);
    const why = (opts.token ? said.replaceAll(opts.token, "***") : said).split("\n")[0];
    throw new HubError(`cannot reach hub ${shown}: ${why}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new HubError(`hub ${shown} did not answer with JSON`);
  }
  const list = Array.isArray(data)
    ? data
    : Array.isArray((data as { repos?: unknown })?.repos)
    ? (data as { repos: unknown[] }).repos
    : undefined;
  if (!list) throw new HubError(`hub ${shown} answered JSON that is not a list of repos`);
  const entries = list.map((item, i) => toEntry(item, i, shown));
  // As in a roster file: one slug listed twice is refused, not resolved to
  // two runs for one (repo, agent) with different checkouts.
  const dups = duplicateSlugs(entries);
  if (dups.length > 0) throw new HubError(`hub ${shown}: ${duplicateSlugMessage(dups)}`);
  return entries;
}

function toEntry(item: unknown, i: number, shown: string): RosterEntry {
  if (item === null || typeof item !== "object" || Array.isArray(item)) {
    throw new HubError(`hub ${shown}: repo #${i + 1} is not an object`);
  }
  const r = item as Record<string, unknown>;
  if (typeof r.slug !== "string" || r.slug === "") {
    throw new HubError(`hub ${shown}: repo #${i + 1} has no slug`);
  }
  // The slug goes into the `--repo` of every run's prepare_command: the
  // roster file's rule keeps it one plain word that no shell or option
  // parser misreads.
  const bad = slugProblem(r.slug);
  if (bad !== undefined) throw new HubError(`hub ${shown}: repo #${i + 1} slug ${bad}`);
  const paths: Record<string, string> = {};
  if (r.host_paths !== undefined && r.host_paths !== null) {
    if (typeof r.host_paths !== "object" || Array.isArray(r.host_paths)) {
      throw new HubError(
        `hub ${shown}: repo '${r.slug.slice(0, 100)}' has host_paths that is not an object`,
      );
    }
    for (const [host, path] of Object.entries(r.host_paths as Record<string, unknown>)) {
      // A non-string path is kept as an empty one: the resolver reports it as invalid-path.
      paths[host] = typeof path === "string" ? path : "";
    }
  }
  return {
    slug: r.slug,
    domain: typeof r.domain === "string" ? r.domain : null,
    host_paths: paths,
    kaizen_schedule_enabled: typeof r.kaizen_schedule_enabled === "boolean"
      ? r.kaizen_schedule_enabled
      : null,
    kaizen_schedule_updated_at: typeof r.kaizen_schedule_updated_at === "string"
      ? r.kaizen_schedule_updated_at
      : null,
  };
}
