/**
 * `kaizen events setup | tail`: provision and watch the JetStream stream
 * that keeps kaizen's events, for operators without the `nats` CLI (which
 * Debian does not package). This module only parses and prints and is cheap
 * to import: the NATS client, the stream logic and the redactor load when a
 * subcommand runs, so the command tree can import it at start-up.
 *
 * Connections go through the NATS sink's own door (`core/nats/`): the same
 * URL parsing, credentials (`user:password@` or `token@` in the URL,
 * `NATS_TOKEN`, `NATS_NKEY`, `NATS_CREDS`), transport and error wording, and
 * a URL is only ever shown masked.
 *
 * @module
 */
import {
  type CommandSpec,
  defineCommand,
  integer,
  type OptionSpec,
  type TypedInvocation,
} from "../cli/framework.ts";
import { CliError, stdout, warn } from "../cli/io.ts";
import { firstLine, renderForCli } from "../errors.ts";
import { programName } from "../cli/program.ts";
import { processEnv } from "../env.ts";
import { resolveNatsUrl } from "./target.ts";
import { printable } from "../text/printable.ts";
import type { EventStreamOptions } from "../events/stream.ts";
import { NATS_SERVER } from "./options.ts";

/** `events setup` */
export const EVENTS_SETUP_OPTIONS = [
  {
    name: "stream",
    type: "string",
    valueName: "NAME",
    default: "KAIZEN",
    description: "Stream name",
  },
  {
    name: "retention",
    type: "string",
    choices: ["limits", "interest", "workqueue"],
    description: "Retention policy (new stream: limits; cannot change on an existing one)",
  },
  {
    name: "storage",
    type: "string",
    choices: ["file", "memory"],
    description: "Storage type (new stream: file; cannot change on an existing one)",
  },
  {
    name: "max-age",
    type: "duration",
    zero: "no limit",
    valueName: "DURATION",
    description: "Keep events this long (new stream: 90d; 0 for no limit)",
  },
  {
    name: "duplicate-window",
    type: "duration",
    valueName: "DURATION",
    description: "Store a retried publish once within this window (at least and by default 2h)",
  },
  integer("replicas", "N", "Copies in a NATS cluster, 1-5 (new stream: 1)", { min: 1, max: 5 }),
  NATS_SERVER,
  {
    name: "dry-run",
    type: "boolean",
    description: "Print the JetStream API request without connecting",
  },
] as const satisfies readonly OptionSpec[];

/** `events tail` */
export const EVENTS_TAIL_OPTIONS = [
  {
    name: "subject",
    type: "string",
    valueName: "S",
    default: "kaizen.>",
    description: "Subject filter (NATS wildcards * and >)",
  },
  {
    name: "since",
    type: "duration",
    valueName: "DURATION",
    description: "First replay what the stream stored in the last DURATION (1h, PT30M)",
  },
  {
    name: "stream",
    type: "string",
    valueName: "NAME",
    description: "Read this stream (default: the one that stores the subject)",
  },
  integer("count", "N", "Stop after N events", { min: 1 }),
  {
    name: "timeout",
    type: "duration",
    valueName: "DURATION",
    description: "Stop after DURATION (exit 1 if --count events had not arrived)",
  },
  {
    name: "format",
    type: "string",
    choices: ["text", "json"],
    default: "text",
    description: "One summary line per event, or one JSON object per line",
  },
  NATS_SERVER,
] as const satisfies readonly OptionSpec[];

/** One printable line for a failure, credentials masked, secrets redacted. */
async function oneLine(err: unknown, shownUrl: string): Promise<string> {
  const { redactForOutput } = await import("../redact/output.ts");
  const text = firstLine(err);
  const named = text.includes(shownUrl) ? text : `${shownUrl}: ${text}`;
  return printable(redactForOutput(named, "NATS error"), 300);
}

/** Opens a connection through the NATS sink's door; a failure is one line, exit 1. */
async function connect(url: string, shown: string) {
  const { openEventPublisher } = await import("../nats/mod.ts");
  try {
    return await openEventPublisher({ url, env: processEnv, timeoutMs: 5_000 });
  } catch (err) {
    throw new CliError(await oneLine(err, shown), 1);
  }
}

/** `kaizen events setup`. */
export async function setupCommand(
  inv: TypedInvocation<typeof EVENTS_SETUP_OPTIONS>,
): Promise<number> {
  const prog = programName();
  const stream = await import("../events/stream.ts");
  // Only the flags given: an existing stream keeps what the operator did not
  // ask to change; a new one takes the defaults for the rest.
  const given: Partial<EventStreamOptions> = {
    name: inv.opts.stream,
    retention: inv.opts.retention,
    storage: inv.opts.storage,
    maxAgeMs: inv.opts["max-age"],
    duplicateWindowMs: inv.opts["duplicate-window"],
    replicas: inv.opts.replicas,
  };
  const byDefault = stream.DEFAULT_STREAM_OPTIONS;
  const opts: EventStreamOptions = {
    name: inv.opts.stream,
    retention: given.retention ?? byDefault.retention,
    storage: given.storage ?? byDefault.storage,
    maxAgeMs: given.maxAgeMs ?? byDefault.maxAgeMs,
    duplicateWindowMs: given.duplicateWindowMs ?? byDefault.duplicateWindowMs,
    replicas: given.replicas ?? byDefault.replicas,
  };
  const problem = stream.checkStreamOptions(opts);
  if (problem) throw new CliError(problem, 2);
  const url = await resolveNatsUrl(inv.opts["nats-url"]);
  const { maskUrl } = await import("../nats/url.ts");
  const shown = maskUrl(url);
  if (inv.opts["dry-run"]) {
    const req = stream.createRequest(opts);
    stdout(`${req.subject}\n${JSON.stringify(req.body, null, 2)}\n`);
    warn(
      prog,
      `dry run: nothing sent to ${shown}; when stream ${opts.name} exists, setup sends $JS.API.STREAM.UPDATE.${opts.name} instead, and only when it lacks kaizen.>, keeps duplicates for less than ${
        stream.formatDuration(opts.duplicateWindowMs)
      } or differs from an option given here`,
      "notice",
    );
    return 0;
  }
  const pub = await connect(url, shown);
  try {
    const { setupEventStreamOn } = await import("../events/manager.ts");
    let outcome;
    try {
      outcome = await setupEventStreamOn(pub, given);
    } catch (err) {
      if (err instanceof stream.StreamSetupError) {
        // It names streams and subjects the server reported.
        const { redactForOutput } = await import("../redact/output.ts");
        const said = printable(redactForOutput(renderForCli(err), "stream setup"), 400);
        throw new CliError(said, err.exitCode, { cause: err });
      }
      const text = String((err as Error)?.message ?? err);
      throw new CliError(
        /not enabled|no responders|503/i.test(text)
          ? `JetStream is not enabled on ${shown} for this account (run nats-server with -js)`
          : await oneLine(err, shown),
        1,
      );
    }
    // Subjects and values come from the server: one printable, redacted line.
    const { redactForOutput } = await import("../redact/output.ts");
    const say = (line: string) =>
      stdout(`${printable(redactForOutput(line.trimEnd(), "stream configuration"), 4000)}\n`);
    const name = printable(opts.name, 64);
    if (outcome.action === "created") {
      say(
        `created stream ${name} on ${shown}: ${stream.describeStream(outcome.config)}\n`,
      );
    } else if (outcome.action === "unchanged") {
      say(
        `stream ${name} on ${shown} is up to date: ${
          stream.describeStream(outcome.config)
        }; nothing changed\n`,
      );
    } else {
      const what = outcome.changes.map((c) =>
        `${stream.fieldLabel(c.field)} ${printable(c.from, 120)} → ${printable(c.to, 120)}`
      ).join(", ");
      say(`updated stream ${name} on ${shown}: ${what}`);
      for (const c of outcome.ignored) {
        warn(
          prog,
          `the server kept ${stream.fieldLabel(c.field)} ${
            printable(c.from, 60)
          } (asked for ${c.to})${c.field === "num_replicas" ? ": is it a cluster?" : ""}`,
        );
      }
    }
    return 0;
  } finally {
    await pub.close();
  }
}

/** A NATS subject filter: dot-separated tokens, `*` a token, `>` the last one. */
function checkSubject(subject: string): void {
  const tokens = subject.split(".");
  const ok = subject.length <= 256 &&
    tokens.every((t, i) =>
      t !== "" && /^[\x21-\x7e]+$/.test(t) &&
      (t === ">" ? i === tokens.length - 1 : !t.includes(">")) && (t === "*" || !t.includes("*"))
    );
  if (!ok) {
    throw new CliError(
      `'${
        printable(subject, 60)
      }' is not a NATS subject filter (e.g. kaizen.> or kaizen.*.prepared)`,
      2,
    );
  }
}

/** `kaizen events tail`. */
export async function tailCommand(
  inv: TypedInvocation<typeof EVENTS_TAIL_OPTIONS>,
): Promise<number> {
  const prog = programName();
  const notice = (m: string) => warn(prog, m, "notice");
  const subject = inv.opts.subject;
  checkSubject(subject);
  const streamName = inv.opts.stream;
  if (streamName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(streamName)) {
    throw new CliError(`stream name '${printable(streamName, 64)}' is not valid`, 2);
  }
  const { since: sinceMs, timeout: timeoutMs, count, format } = inv.opts;
  const url = await resolveNatsUrl(inv.opts["nats-url"]);
  const { maskUrl } = await import("../nats/url.ts");
  const shown = maskUrl(url);
  const tailing = await import("../events/tail.ts");
  const pub = await connect(url, shown);
  const stop = new AbortController();
  let why: "signal" | "count" | "timeout" | "lost" | undefined;
  const end = (reason: typeof why) => {
    why ??= reason;
    stop.abort();
  };
  const onSignal = () => end("signal");
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  const timer = timeoutMs !== undefined ? setTimeout(() => end("timeout"), timeoutMs) : undefined;
  pub.connection.closed().then(() => end("lost"));
  let tail: Awaited<ReturnType<typeof tailing.openTail>> | undefined;
  let seen = 0;
  try {
    try {
      tail = await tailing.openTail(pub.connection, {
        subject,
        sinceMs,
        stream: streamName,
        now: new Date(),
        timeoutMs: 5_000,
      });
    } catch (err) {
      if (err instanceof tailing.TailError) {
        throw new CliError(printable(err.message, 400), err.exitCode, { cause: err });
      }
      throw new CliError(await oneLine(err, shown), 1);
    }
    const t = tail;
    stop.signal.addEventListener("abort", () => void t.stop(), { once: true });
    if (stop.signal.aborted) await t.stop();
    const from = t.plan.stream === undefined
      ? "no stream: live events only"
      : t.plan.startTime !== undefined
      ? `stream ${printable(t.plan.stream, 64)}, replaying from ${t.plan.startTime}`
      : `stream ${printable(t.plan.stream, 64)}, from seq ${t.plan.startSeq}`;
    // The stream's name came from the server.
    const { redactForOutput } = await import("../redact/output.ts");
    notice(redactForOutput(`following ${printable(subject, 100)} on ${shown} (${from})`, "notice"));
    for await (const ev of t.events) {
      if (stop.signal.aborted) break;
      stdout(`${await tailing.renderEvent(ev, format, new Date(), notice)}\n`);
      seen++;
      if (count !== undefined && seen >= count) {
        end("count");
        break;
      }
    }
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    if (timer !== undefined) clearTimeout(timer);
    await tail?.stop();
    // Closing is ours, not a lost connection.
    why ??= "signal";
    await pub.close();
  }
  if (why === "lost") {
    throw new CliError(`the connection to ${shown} closed after ${seen} event(s)`, 1);
  }
  if (why === "timeout" && count !== undefined && seen < count) {
    warn(prog, `timed out after ${seen} of ${count} event(s)`, "error");
    return 1;
  }
  return 0;
}

/** The `events` command group. */
export const eventsCommand: CommandSpec = {
  name: "events",
  description: "Set up and watch the JetStream stream that keeps kaizen's NATS events",
  subcommands: [
    defineCommand({
      name: "setup",
      description: "Create or update the stream that stores kaizen.> (idempotent)",
      options: EVENTS_SETUP_OPTIONS,
      epilog:
        "Credentials as for --sink nats: user:password@ or token@ in the URL, NATS_TOKEN, NATS_NKEY, NATS_CREDS. See docs/events.md",
      run: setupCommand,
    }),
    defineCommand({
      name: "tail",
      description: "Print kaizen events as they arrive; --since replays from the stream first",
      options: EVENTS_TAIL_OPTIONS,
      epilog:
        "Stops on Ctrl-C / SIGTERM (exit 0), after --count events or at --timeout. See docs/events.md",
      run: tailCommand,
    }),
  ],
};
