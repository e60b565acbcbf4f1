/**
 * `kaizen doctor`'s state-hub checks. Configured by `--hub URL` or
 * `STATE_HUB_URL`; the token is `STATE_HUB_TOKEN` (sent as a bearer token,
 * exactly as `kaizen roster discover` sends it).
 *
 * | id              | what it checks                                                                  |
 * | --------------- | ------------------------------------------------------------------------------- |
 * | `hub.reachable` | `GET {hub}/repos/` answers, and (unless it refuses the token) with a JSON list of repos of the documented shape. A refused connection, a hang, a 404/5xx or a body that is not that JSON fail. |
 * | `hub.auth`      | the hub accepted the request with our token (or without one): 401/403 fail.     |
 * | `hub.repo`      | with a target: this checkout is listed — its slug has `host_paths[<host>]` (or `"*"`) pointing at the target, compared by real path. Without a target: how many repos name a checkout on this host (none: a warning). |
 * | `hub.filter`    | `GET {hub}/repos/?kaizen_schedule_enabled=true` is honoured (every returned repo is flagged); a warning when the hub ignored it, or when this repo is not flagged (a resolver using `--hub-filter` would skip it). |
 *
 * How the target's slug is known: the same precedence `prepare` uses for the
 * `repo` of its bundle and event (`core/repo/slug.ts`) — `KAIZEN_REPO`, else
 * the git remote's repository name from `.git/config`, else the folder name.
 * The hub's entry is found by that slug; an entry listed under another slug
 * whose host path is this checkout is found by path (and reported as a slug
 * mismatch, since the resolver's runs and the prepared events would then
 * name the repo differently).
 *
 * Checks that depend on an earlier failure are not reported; the hub's
 * answers are untrusted text and are shown cut and escaped.
 *
 * @module
 */
import type { DoctorContext, Probe, Reporter } from "./model.ts";
import { SERVICE_DEADLINE_MS, serviceProbe } from "./service_probe.ts";
import { fetchHubRoster, HubError } from "../roster/hub.ts";
import type { RosterEntry } from "../roster/types.ts";
import { maskUrl } from "../nats/url.ts";
import { printable } from "../text/printable.ts";
import { networkReason } from "./net.ts";

/** The variables the hub is configured by; fixes name them. */
const URL_VARIABLE = "STATE_HUB_URL";
const TOKEN_VARIABLE = "STATE_HUB_TOKEN";

/** Where the roster contract is described. */
const SPEC = "docs/integrations/roster-resolver.md";

/** What the last request got: a status, or why it got none. */
interface Seen {
  status?: number;
  reason?: string;
}

function fetchRecording(seen: Seen): typeof fetch {
  return async (input, init) => {
    seen.status = seen.reason = undefined;
    try {
      const res = await fetch(input, init);
      seen.status = res.status;
      return res;
    } catch (err) {
      seen.reason = networkReason(err);
      throw err;
    }
  };
}

const repos = (n: number) => `${n} ${n === 1 ? "repo" : "repos"}`;

/** The checkout path an entry names for `host` (own key, else `"*"`), as the resolver reads it. */
function hostPath(entry: RosterEntry, host: string): string | undefined {
  const hp = entry.host_paths;
  return Object.hasOwn(hp, host) ? hp[host] : Object.hasOwn(hp, "*") ? hp["*"] : undefined;
}

async function real(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch {
    return undefined;
  }
}

/** The slug `prepare` would give the target (see the module comment). */
async function targetSlug(target: string, env: (name: string) => string | undefined) {
  const { resolveRepoSlug } = await import("../repo/slug.ts");
  const { createSafeReader } = await import("../fs/safe_read.ts");
  try {
    const files = await createSafeReader(target, 256 * 1024);
    return await resolveRepoSlug(files, undefined, (k) => env(k) || undefined);
  } catch {
    return { slug: target.replace(/\/+$/, "").split("/").pop() || target, source: "directory" };
  }
}

async function checkRepo(
  ctx: DoctorContext,
  report: Reporter,
  roster: RosterEntry[],
): Promise<RosterEntry | undefined> {
  const host = printable(ctx.host, 100);
  if (ctx.host === "") {
    report.fail(
      "hub.repo",
      "cannot tell this machine's hostname, so the hub's host_paths cannot be matched",
      "grant --allow-sys=hostname (see binary.permissions), or pass --host NAME",
    );
    return undefined;
  }
  if (ctx.target === undefined) {
    const here = roster.filter((e) => hostPath(e, ctx.host) !== undefined);
    if (here.length > 0) {
      report.pass(
        "hub.repo",
        `no target given: ${here.length} of ${
          repos(roster.length)
        } name a checkout on host '${host}'`,
      );
    } else {
      const hosts = [...new Set(roster.flatMap((e) => Object.keys(e.host_paths)))].sort();
      const known = hosts.length === 0
        ? "no repo names any host"
        : `hosts the hub knows: ${hosts.slice(0, 5).map((h) => printable(h, 40)).join(", ")}${
          hosts.length > 5 ? ", …" : ""
        }`;
      report.warn(
        "hub.repo",
        `no target given: no repo on the hub (${roster.length} listed) names a checkout on host '${host}' (${known})`,
        `pass --host with the name the hub's host_paths use, or register this host's checkouts on the hub`,
      );
    }
    return undefined;
  }
  const target = ctx.target;
  const { slug, source } = await targetSlug(target, ctx.env);
  const shownSlug = printable(slug, 100);
  const realTarget = (await real(target)) ?? target;
  const bySlug = roster.find((e) => e.slug === slug);
  const addFix = (name: string) =>
    `on the hub, set host_paths['${host}'] of '${name}' to ${printable(realTarget, 200)}`;
  if (bySlug) {
    const path = hostPath(bySlug, ctx.host);
    if (path === undefined) {
      const hosts = Object.keys(bySlug.host_paths).slice(0, 5).map((h) => printable(h, 40));
      report.fail(
        "hub.repo",
        `'${shownSlug}' is listed but has no host_paths entry for host '${host}' (${
          hosts.length ? `it names ${hosts.join(", ")}` : "it names no host"
        })`,
        `${addFix(shownSlug)} (or pass --host with the name the hub uses for this machine)`,
      );
    } else if (path !== "" && (await real(path) ?? path) === realTarget) {
      report.pass(
        "hub.repo",
        `'${shownSlug}' is listed with host_paths['${host}'] = ${printable(path, 200)}`,
      );
    } else {
      const exists = path !== "" && (await real(path)) !== undefined;
      report.fail(
        "hub.repo",
        `'${shownSlug}' on host '${host}' points at ${printable(path || "''", 200)}${
          exists ? "" : " (not found on this host)"
        }, not at this checkout ${printable(realTarget, 200)}`,
        `${addFix(shownSlug)}, or run doctor with --target at the checkout the hub names`,
      );
    }
    return bySlug;
  }
  // Not listed under our slug: is this checkout listed under another one?
  for (const e of roster) {
    const path = hostPath(e, ctx.host);
    if (path && path.startsWith("/") && (await real(path)) === realTarget) {
      const other = printable(e.slug, 100);
      report.warn(
        "hub.repo",
        `this checkout is listed as '${other}', but kaizen names it '${shownSlug}' (from ${
          source === "git-remote" ? "the git remote" : source === "env" ? "KAIZEN_REPO" : source
        }), so scheduled runs and prepared events would disagree on the repo`,
        `set KAIZEN_REPO=${other} on this host (or rename the hub entry to '${shownSlug}')`,
      );
      return e;
    }
  }
  report.fail(
    "hub.repo",
    `'${shownSlug}' is not among the hub's ${repos(roster.length)}, and no entry points at ${
      printable(realTarget, 200)
    } on host '${host}'`,
    `register '${shownSlug}' on the hub with host_paths['${host}'] = ${printable(realTarget, 200)}`,
  );
  return undefined;
}

function checkFilter(
  report: Reporter,
  all: RosterEntry[],
  filtered: RosterEntry[],
  mine: RosterEntry | undefined,
): void {
  if (all.length === 0 && filtered.length === 0) {
    report.skip("hub.filter", "the hub lists no repos, so the pre-filter cannot be judged");
    return;
  }
  const unflagged = filtered.filter((e) => e.kaizen_schedule_enabled !== true);
  const anyField = all.some((e) => typeof e.kaizen_schedule_enabled === "boolean");
  if (unflagged.length > 0) {
    if (!anyField) {
      report.warn(
        "hub.filter",
        `the hub ignored ?kaizen_schedule_enabled=true (${
          repos(filtered.length)
        } back, none carries the flag): it does not have the v2 roster fields`,
        "resolve without --hub-filter until the hub has kaizen_schedule_enabled (with it, every repo would be skipped as hub-flag-off)",
      );
    } else {
      report.warn(
        "hub.filter",
        `the hub ignored ?kaizen_schedule_enabled=true: ${unflagged.length} of the ${
          repos(filtered.length)
        } it returned are not flagged`,
        `harmless (kaizen drops unflagged repos itself), but ask the hub team for the v2 pre-filter (spec: state-hub-roster-fields, ${SPEC})`,
      );
    }
    return;
  }
  const flagged = all.filter((e) => e.kaizen_schedule_enabled === true).length;
  if (mine && mine.kaizen_schedule_enabled !== true) {
    const slug = printable(mine.slug, 100);
    report.warn(
      "hub.filter",
      `the hub honours the pre-filter (${filtered.length} of ${
        repos(all.length)
      } flagged), but '${slug}' is not flagged: a resolver using --hub-filter skips it`,
      `set kaizen_schedule_enabled=true for '${slug}' on the hub, or resolve without --hub-filter`,
    );
    return;
  }
  report.pass(
    "hub.filter",
    `the hub honours ?kaizen_schedule_enabled=true (${
      repos(filtered.length)
    } back; ${flagged} of ${all.length} flagged in the full list)`,
  );
}

export const hubProbe: Probe = serviceProbe({
  area: "hub",
  url: (ctx) => ctx.hubUrl,
  configure: `pass --hub URL or set ${URL_VARIABLE}`,
  check: checkHub,
});

/** Checks the hub at `hubUrl`: reachable, token, the target's entry, the pre-filter. */
async function checkHub(
  hubUrl: string,
  ctx: DoctorContext,
  report: Reporter,
): Promise<void> {
  const shown = printable(maskUrl(hubUrl.replace(/\/+$/, "")), 200);
  const token = ctx.env(TOKEN_VARIABLE) || undefined;
  const seen: Seen = {};
  const base = {
    url: hubUrl,
    token,
    signal: ctx.signal,
    timeoutMs: SERVICE_DEADLINE_MS,
    fetch: fetchRecording(seen),
  };
  const urlFix =
    `check --hub / ${URL_VARIABLE} (${shown}) names the state hub's API and that it is up`;

  report.step("hub.reachable", urlFix);
  let all: RosterEntry[];
  try {
    all = await fetchHubRoster(base);
  } catch (err) {
    const message = printable(err instanceof Error ? err.message : String(err), 300);
    if (seen.status === 401 || seen.status === 403) {
      report.pass("hub.reachable", `${shown}/repos/ answered ${seen.status}`);
      report.fail(
        "hub.auth",
        token
          ? `the hub refused ${TOKEN_VARIABLE} (${seen.status})`
          : `the hub wants a token (${seen.status}) and ${TOKEN_VARIABLE} is not set`,
        `set ${TOKEN_VARIABLE} to a valid token for ${shown}`,
      );
      return;
    }
    if (!(err instanceof HubError)) throw err;
    if (seen.reason !== undefined) {
      report.fail("hub.reachable", `cannot reach ${shown}/repos/: ${seen.reason}`, urlFix);
      return;
    }
    const fix = seen.status === 404
      ? `point --hub / ${URL_VARIABLE} at the hub's API base: kaizen requests <base>/repos/`
      : seen.status !== undefined && seen.status >= 500
      ? `the hub is failing (${seen.status}): check its health and logs, then re-run`
      : seen.status !== undefined && seen.status < 300
      ? `check --hub / ${URL_VARIABLE} names the state hub's API (GET /repos/ must answer a JSON list of repos, ${SPEC})`
      : urlFix;
    report.fail("hub.reachable", message, fix);
    return;
  }
  report.pass("hub.reachable", `${shown}/repos/ answered with ${repos(all.length)}`);
  report.pass(
    "hub.auth",
    token ? `the hub accepted ${TOKEN_VARIABLE}` : `the hub answers without a token`,
  );

  report.step(
    "hub.repo",
    `check the target's git remote / KAIZEN_REPO and the hub's entry for it`,
  );
  const mine = await checkRepo(ctx, report, all);

  report.step(
    "hub.filter",
    `the hub hangs on ?kaizen_schedule_enabled=true: resolve without --hub-filter and tell the hub team`,
  );
  let filtered: RosterEntry[];
  try {
    filtered = await fetchHubRoster({ ...base, hubFilter: true });
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    report.warn(
      "hub.filter",
      `with ?kaizen_schedule_enabled=true: ${printable(err.message, 300)}`,
      "resolve without --hub-filter until the hub answers the pre-filter query",
    );
    return;
  }
  checkFilter(report, all, filtered, mine);
}
