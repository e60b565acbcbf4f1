/**
 * `kaizen doctor`'s NATS checks. Configured by `--nats-url` or `NATS_URL`;
 * credentials exactly as the NATS sink reads them (`core/nats/publish.ts`):
 * `user:password@` or `token@` in the URL, `NATS_TOKEN`, `NATS_NKEY`,
 * `NATS_CREDS`. Nothing is ever published.
 *
 * | id                    | what it checks                                                            |
 * | --------------------- | ------------------------------------------------------------------------- |
 * | `nats.reachable`      | a TCP connection to the server, and its `INFO` greeting (a NATS server).  |
 * | `nats.auth`           | `CONNECT` with our credentials then `PING`/`PONG` (the client library's handshake): `Authorization Violation` fails. |
 * | `nats.jetstream`      | `$JS.API.INFO` answers for this account.                                   |
 * | `nats.stream`         | a stream captures `kaizen.schedule.prepared` (`$JS.API.STREAM.NAMES` filtered by subject, then `$JS.API.STREAM.INFO`). |
 * | `nats.duplicate-window` | that stream's duplicate window is at least {@link MIN_DUPLICATE_WINDOW_MS} (see below). |
 * | `nats.publish`        | the user may publish `kaizen.schedule.prepared`, without publishing it (see below). |
 *
 * **Duplicate window.** kaizen publishes each event with `Nats-Msg-Id` set
 * to a hash of the subject, repo, agent and bundle content
 * (`core/events/payloads.ts`), so a retry, or a re-run that prepares the same
 * bundle, is stored once — but only while the first copy is inside the
 * stream's duplicate window. A re-run happens when the orchestrator or an
 * operator retries a scheduled session that failed, which takes a session
 * length or more (the pilot's average is about 17 minutes); `kaizen events
 * setup` therefore creates the stream with a 2 h duplicate window, and doctor warns
 * below that. JetStream's own default (2 minutes) covers only the sink's
 * retries.
 *
 * **Publish permission.** Publishing is how NATS reports a permission, and a
 * published event reaches core subscribers even when a stream refuses it,
 * so doctor asks instead: a server without authorization has no permissions
 * (pass); otherwise `$SYS.REQ.USER.INFO` (nats-server 2.10 and later)
 * returns the connected user's own publish allow/deny lists, which doctor
 * matches against the subject with NATS wildcard rules, the server's way
 * (allowed when the allow list is absent or matches, and no deny entry
 * matches). nats-server 2.9 (Debian's) has no such request, and a user whose
 * allow list lacks that subject cannot ask: then the check is a warning that
 * says it could not tell.
 *
 * @module
 */
import type { DoctorContext, Probe, Reporter } from "./model.ts";
import { serviceProbe } from "./service_probe.ts";
import { maskUrl, type NatsTarget, parseNatsUrl } from "../nats/url.ts";
import { SCHEDULE_PREPARED } from "../events/subjects.ts";
import { printable } from "../text/printable.ts";
import { networkReason } from "./net.ts";

/** The shortest duplicate window that still absorbs a re-run (see the module comment). */
export const MIN_DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000;
/** Per-request wait for the server's JetStream API and system requests. */
const REQUEST_MS = 2_000;
/** Wait for the client handshake (CONNECT/PING/PONG). */
const CONNECT_MS = 3_000;
/** An INFO line is a few hundred bytes; past this it is not a NATS server. */
const MAX_INFO_BYTES = 64 * 1024;

const STREAM_FIX = "create a stream capturing it: kaizen events setup";
const CREDENTIALS_FIX =
  "set NATS_TOKEN, NATS_CREDS or NATS_NKEY (or user:password@ in NATS_URL) to credentials this server accepts";

/** The server's INFO greeting, as far as doctor reads it. */
interface ServerInfo {
  version?: string;
  jetstream?: boolean;
  auth_required?: boolean;
  tls_required?: boolean;
}

function hostPort(server: string): { hostname: string; port: number } {
  const at = server.lastIndexOf(":");
  return {
    hostname: server.slice(0, at).replace(/^\[(.*)\]$/, "$1"),
    port: Number(server.slice(at + 1)),
  };
}

/** Connects, reads the `INFO` line, closes. Throws an Error with a printable message. */
async function readInfo(target: NatsTarget, signal: AbortSignal): Promise<ServerInfo> {
  const conn = await Deno.connect({ ...hostPort(target.server), signal });
  const close = () => {
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  signal.addEventListener("abort", close, { once: true });
  try {
    const buf = new Uint8Array(4096);
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("the server closed the connection without an INFO greeting");
      text += decoder.decode(buf.subarray(0, n), { stream: true });
      if (text.length > MAX_INFO_BYTES) throw new Error("the server's greeting is not NATS INFO");
    }
    const line = text.slice(0, text.indexOf("\r\n"));
    const m = /^INFO\s+(\{.*\})\s*$/i.exec(line);
    if (!m) {
      throw new Error(`the server's greeting is not NATS INFO: '${printable(line, 60)}'`);
    }
    return JSON.parse(m[1]) as ServerInfo;
  } finally {
    signal.removeEventListener("abort", close);
    close();
  }
}

function errorText(err: unknown): string {
  const e = err as Error;
  const cause = (e?.cause as Error | undefined)?.message;
  return `${e?.message ?? String(err)}${cause && cause !== e?.message ? ` (${cause})` : ""}`
    .split("\n")[0];
}

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return i === p.length - 1 && s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

/** Which credentials the connection uses, by name only. */
function credentialNames(target: NatsTarget, env: (name: string) => string | undefined): string {
  const names: string[] = [];
  for (const v of ["NATS_CREDS", "NATS_NKEY", "NATS_TOKEN"]) if (env(v)) names.push(v);
  if (target.token) names.push("the URL's token");
  if (target.user) names.push(`user '${printable(target.user, 60)}' from the URL`);
  return names.length === 0 ? "no credentials" : names.join(" and ");
}

function versionAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) return false;
  return Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor);
}

type Requester = (subject: string, body?: unknown) => Promise<Record<string, unknown>>;

/** Why a request failed, classified. */
function requestProblem(err: unknown): "no-responders" | "permission" | "timeout" | "other" {
  const text = errorText(err);
  if (/no responders/i.test(text)) return "no-responders";
  if (/permissions? violation/i.test(text)) return "permission";
  if (/timeout|timed out/i.test(text)) return "timeout";
  return "other";
}

/** A JetStream API error in a reply, as one line; undefined when there is none. */
function apiError(reply: Record<string, unknown>): string | undefined {
  const e = reply.error as { code?: number; err_code?: number; description?: string } | undefined;
  if (!e || typeof e !== "object") return undefined;
  return `${e.description ?? "error"} (${e.code ?? "?"}${e.err_code ? `/${e.err_code}` : ""})`;
}

function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const parts: string[] = [];
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (s || parts.length === 0) parts.push(`${s}s`);
  return parts.join("");
}

async function checkJetStream(request: Requester, report: Reporter): Promise<boolean> {
  report.step(
    "nats.jetstream",
    "the server does not answer $JS.API.INFO: enable JetStream (nats-server -js, or jetstream {} in its config)",
  );
  let info: Record<string, unknown>;
  try {
    info = await request("$JS.API.INFO");
  } catch (err) {
    const why = requestProblem(err);
    if (why === "permission") {
      report.fail(
        "nats.jetstream",
        "this user may not publish to $JS.API.INFO, so kaizen cannot find or use a stream",
        "allow the user to publish to $JS.API.> (kaizen looks streams up and publishes through it)",
      );
    } else if (why === "no-responders") {
      report.fail(
        "nats.jetstream",
        "JetStream is not enabled on this server (no responders for $JS.API.INFO): events would not be stored",
        "enable JetStream: run nats-server with -js, or add jetstream { store_dir: ... } to its config",
      );
    } else {
      report.fail(
        "nats.jetstream",
        `$JS.API.INFO failed: ${printable(errorText(err), 200)}`,
        "check that JetStream is enabled for this account (nats-server -js) and the server's logs",
      );
    }
    return false;
  }
  const problem = apiError(info);
  if (problem) {
    report.fail(
      "nats.jetstream",
      `JetStream is not available to this account: ${printable(problem, 200)}`,
      "enable JetStream for this account (jetstream: enabled in its account config)",
    );
    return false;
  }
  report.pass(
    "nats.jetstream",
    `JetStream is enabled for this account (${Number(info.streams ?? 0)} streams)`,
  );
  return true;
}

async function checkStream(request: Requester, report: Reporter): Promise<void> {
  report.step("nats.stream", `$JS.API.STREAM.NAMES did not answer; ${STREAM_FIX}`);
  const names = await request("$JS.API.STREAM.NAMES", { subject: SCHEDULE_PREPARED });
  const listProblem = apiError(names);
  if (listProblem) {
    report.fail(
      "nats.stream",
      `listing streams failed: ${printable(listProblem, 200)}`,
      "check that JetStream is enabled for this account (nats-server -js, or the account's jetstream limits)",
    );
    return;
  }
  const streams = Array.isArray(names.streams) ? names.streams as unknown[] : [];
  const name = streams.find((s): s is string => typeof s === "string");
  if (!name) {
    report.fail(
      "nats.stream",
      `no stream captures ${SCHEDULE_PREPARED}: events would go out on core NATS and not be stored`,
      STREAM_FIX,
    );
    return;
  }
  const shownName = printable(name, 100);
  const info = await request(`$JS.API.STREAM.INFO.${name}`);
  const infoProblem = apiError(info);
  const config = (info.config ?? {}) as { subjects?: unknown; duplicate_window?: unknown };
  if (infoProblem) {
    report.fail(
      "nats.stream",
      `stream ${shownName} captures ${SCHEDULE_PREPARED} but its info failed: ${
        printable(infoProblem, 200)
      }`,
      `see and repair the stream with: kaizen events setup --stream ${shownName}`,
    );
    return;
  }
  const subjects = Array.isArray(config.subjects)
    ? (config.subjects as unknown[]).filter((s) => typeof s === "string").join(", ")
    : "";
  report.pass(
    "nats.stream",
    `stream ${shownName} captures ${SCHEDULE_PREPARED}${
      subjects ? ` (subjects ${printable(subjects, 120)})` : ""
    }`,
  );
  report.step(
    "nats.duplicate-window",
    `see and repair the stream with: kaizen events setup --stream ${shownName}`,
  );
  const windowNs = typeof config.duplicate_window === "number" ? config.duplicate_window : 0;
  const windowMs = windowNs / 1e6;
  const need = formatDuration(MIN_DUPLICATE_WINDOW_MS);
  if (windowMs >= MIN_DUPLICATE_WINDOW_MS) {
    report.pass(
      "nats.duplicate-window",
      `stream ${shownName} de-duplicates for ${formatDuration(windowMs)} (at least ${need})`,
    );
  } else {
    report.warn(
      "nats.duplicate-window",
      `stream ${shownName} de-duplicates for only ${
        formatDuration(windowMs)
      }: a re-run that prepares the same bundle later than that is stored twice (kaizen wants ${need})`,
      `kaizen events setup --stream ${shownName} --duplicate-window ${need}`,
    );
  }
}

interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}

async function checkPublish(
  request: Requester,
  report: Reporter,
  info: ServerInfo,
): Promise<void> {
  const subject = SCHEDULE_PREPARED;
  report.step(
    "nats.publish",
    `$SYS.REQ.USER.INFO did not answer; make sure the user may publish ${subject}`,
  );
  if (info.auth_required !== true) {
    report.pass(
      "nats.publish",
      `the server has no authorization configured, so any client may publish ${subject}`,
    );
    return;
  }
  const listFix =
    `if this user has a publish allow list, make sure it covers ${subject} (e.g. kaizen.>)`;
  let reply: Record<string, unknown>;
  try {
    reply = await request("$SYS.REQ.USER.INFO");
  } catch (err) {
    const why = requestProblem(err);
    const version = printable(info.version ?? "unknown", 20);
    const detail = why === "permission"
      ? `cannot tell: this user's publish allow list does not include $SYS.REQ.USER.INFO, so doctor cannot read its permissions (and never publishes to find out)`
      : why === "no-responders" && !versionAtLeast(info.version, 2, 10)
      ? `cannot tell: nats-server ${version} cannot report a client's permissions ($SYS.REQ.USER.INFO arrived in 2.10), and doctor never publishes to find out`
      : `cannot tell: $SYS.REQ.USER.INFO failed on nats-server ${version} (${
        printable(errorText(err), 120)
      }), and doctor never publishes to find out`;
    const fix = why === "permission"
      ? `${listFix}; allowing $SYS.REQ.USER.INFO lets doctor check it`
      : why === "no-responders" && !versionAtLeast(info.version, 2, 10)
      ? `${listFix}; nats-server 2.10+ lets doctor check it`
      : listFix;
    report.warn("nats.publish", detail, fix);
    return;
  }
  const data = reply.data as { permissions?: { publish?: SubjectPermission } } | undefined;
  if (!data || typeof data !== "object" || reply.error) {
    report.warn(
      "nats.publish",
      `cannot tell: $SYS.REQ.USER.INFO answered without the user's permissions${
        reply.error ? ` (${printable(JSON.stringify(reply.error), 120)})` : ""
      }`,
      listFix,
    );
    return;
  }
  const pub = data.permissions?.publish;
  const allow = Array.isArray(pub?.allow) ? pub.allow.filter((s) => typeof s === "string") : [];
  const deny = Array.isArray(pub?.deny) ? pub.deny.filter((s) => typeof s === "string") : [];
  const denied = deny.find((p) => subjectMatches(p, subject));
  const allowed = allow.length === 0 ? undefined : allow.find((p) => subjectMatches(p, subject));
  const fix =
    `allow this user to publish ${subject} (e.g. kaizen.>) in the server's authorization config`;
  if (denied !== undefined) {
    report.fail(
      "nats.publish",
      `this user may not publish ${subject}: denied by '${printable(denied, 80)}'`,
      fix,
    );
  } else if (allow.length > 0 && allowed === undefined) {
    report.fail(
      "nats.publish",
      `this user may not publish ${subject}: not in its allow list (${
        printable(allow.join(", "), 120)
      })`,
      fix,
    );
  } else {
    report.pass(
      "nats.publish",
      allowed !== undefined
        ? `this user may publish ${subject} (allowed by '${printable(allowed, 80)}')`
        : `this user may publish ${subject} (no publish restrictions)`,
    );
  }
}

async function checkConnected(
  natsUrl: string,
  ctx: DoctorContext,
  report: Reporter,
  target: NatsTarget,
  info: ServerInfo,
  shown: string,
): Promise<void> {
  const { openEventPublisher } = await import("../nats/publish.ts");
  const using = credentialNames(target, ctx.env);
  report.step("nats.auth", `the server did not finish the handshake; ${CREDENTIALS_FIX}`);
  const opening = openEventPublisher({
    url: natsUrl,
    env: (k) => ctx.env(k) || undefined,
    timeoutMs: CONNECT_MS,
  });
  // A connection that lands after the deadline is closed at once.
  const lateClose = () => void opening.then((p) => p.close()).catch(() => {});
  ctx.signal.addEventListener("abort", lateClose, { once: true });
  let publisher: Awaited<typeof opening>;
  try {
    publisher = await opening;
  } catch (err) {
    ctx.signal.removeEventListener("abort", lateClose);
    const e = err as Error & { retryable?: boolean };
    if (/^NATS_CREDS /.test(e.message ?? "")) {
      report.fail(
        "nats.auth",
        printable(e.message, 200),
        "point NATS_CREDS at a readable .creds file",
      );
    } else if (e.retryable === false) {
      report.fail(
        "nats.auth",
        using === "no credentials"
          ? `${shown} requires credentials and none are set`
          : `${shown} refused ${using} (Authorization Violation)`,
        CREDENTIALS_FIX,
      );
    } else {
      report.fail(
        "nats.auth",
        printable(e.message ?? String(err), 200),
        `check ${shown} accepts client connections (a server that requires TLS needs a tls:// URL)`,
      );
    }
    return;
  }
  const nc = publisher.connection;
  const closeNow = () => void publisher.close();
  ctx.signal.removeEventListener("abort", lateClose);
  ctx.signal.addEventListener("abort", closeNow, { once: true });
  try {
    report.pass(
      "nats.auth",
      info.auth_required === true
        ? `the server accepted ${using}`
        : `connected; the server requires no credentials${
          using === "no credentials" ? "" : ` (sent ${using})`
        }`,
    );
    const request: Requester = async (subject, body) => {
      const payload = body === undefined ? "" : JSON.stringify(body);
      const msg = await nc.request(subject, payload, { timeout: REQUEST_MS });
      const text = msg.string();
      if (text === "") return {};
      try {
        const parsed = JSON.parse(text);
        return parsed && typeof parsed === "object" ? parsed : {};
      } catch {
        throw new Error(`${subject} answered something that is not JSON`);
      }
    };
    if (await checkJetStream(request, report)) {
      try {
        await checkStream(request, report);
      } catch (err) {
        report.fail(
          "nats.stream",
          `looking up the stream failed: ${printable(errorText(err), 200)}`,
          requestProblem(err) === "permission"
            ? "allow the user to publish to $JS.API.> (kaizen looks streams up through it)"
            : "check that JetStream is enabled for this account (nats-server -js) and the server's logs",
        );
      }
    }
    await checkPublish(request, report, info);
  } finally {
    ctx.signal.removeEventListener("abort", closeNow);
    await publisher.close();
  }
}

export const natsProbe: Probe = serviceProbe({
  area: "nats",
  url: (ctx) => ctx.natsUrl,
  configure: "pass --nats-url URL or set NATS_URL",
  check: checkNats,
});

/** Checks the server at `natsUrl`: reachable, then what a connection shows. */
async function checkNats(
  natsUrl: string,
  ctx: DoctorContext,
  report: Reporter,
): Promise<void> {
  const shown = printable(maskUrl(natsUrl), 200);
  const urlFix = `check --nats-url / NATS_URL (${shown}) and that nats-server is running there`;
  let target: NatsTarget;
  try {
    target = parseNatsUrl(natsUrl);
  } catch (err) {
    report.fail("nats.reachable", printable((err as Error).message, 200), urlFix);
    return;
  }
  report.step(
    "nats.reachable",
    `${urlFix}; a port that accepts but never greets is not a NATS client port (4222 by default)`,
  );
  let info: ServerInfo;
  try {
    info = await readInfo(target, ctx.signal);
  } catch (err) {
    const e = err as Error;
    const notNats = /greeting|INFO/.test(e.message ?? "") && e.name === "Error";
    report.fail(
      "nats.reachable",
      notNats
        ? `${shown}: ${printable(e.message, 200)}`
        : `cannot connect to ${shown}: ${networkReason(err)}`,
      notNats
        ? `point --nats-url / NATS_URL at the server's client port (4222 by default)`
        : urlFix,
    );
    return;
  }
  report.pass(
    "nats.reachable",
    `${shown} is nats-server ${printable(info.version ?? "(version unknown)", 20)}${
      info.jetstream === true ? " with JetStream" : ""
    }`,
  );
  await checkConnected(natsUrl, ctx, report, target, info, shown);
}
