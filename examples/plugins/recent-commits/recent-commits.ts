#!/usr/bin/env -S deno run --no-config --allow-read --allow-run=git
/**
 * recent-commits: an external-command kaizen plugin (protocol kaizen.plugin/v1).
 *
 * Answers `collect` with the commits made in the target repo since the
 * agent's last recorded run (`.kaizen/metrics/<agent>/summary.json`,
 * `last_run_at`), or over the last 14 days when there is no record. Uses Deno
 * APIs and `git` only.
 *
 * Request on stdin, response on stdout, one JSON object each. Problems the
 * user can act on (not a git repository, ...) go in the response's `error`;
 * anything else is a crash and a non-zero exit.
 *
 * @module
 */

const PROTOCOL = "kaizen.plugin/v1";
const DEFAULT_DAYS = 14;
const MAX_LINES = 30;
const MAX_SUMMARY_BYTES = 1024 * 1024;
const AGENT_RE = /^[a-z0-9][a-z0-9-]*$/;
// Unit and record separators: they cannot occur in a commit subject line.
const FIELD = "\x1f";
const RECORD = "\x1e";

interface Request {
  protocol?: unknown;
  hook?: unknown;
  section?: unknown;
  context?: { agent?: unknown; root?: unknown; now?: unknown };
}

interface Commit {
  sha: string;
  date: string;
  subject: string;
}

/** A problem to report in the response's `error` field. */
class UserError extends Error {}

function respond(body: Record<string, unknown>): void {
  let bytes = new TextEncoder().encode(JSON.stringify({ protocol: PROTOCOL, ...body }) + "\n");
  while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
}

async function readRequest(): Promise<Request> {
  const text = await new Response(Deno.stdin.readable).text();
  try {
    return JSON.parse(text) as Request;
  } catch {
    throw new UserError("the request on stdin is not JSON");
  }
}

/** `last_run_at` from the agent's metrics summary, if there is a usable one. */
async function lastRunAt(root: string, agent: string): Promise<Date | undefined> {
  const path = `${root}/.kaizen/metrics/${agent}/summary.json`;
  let real: string;
  try {
    real = await Deno.realPath(path);
  } catch {
    return undefined;
  }
  // The repo is untrusted: a committed symlink must not make us read elsewhere.
  const realRoot = await Deno.realPath(root);
  if (!real.startsWith(`${realRoot}/`)) return undefined;
  try {
    const info = await Deno.stat(real);
    if (!info.isFile || info.size > MAX_SUMMARY_BYTES) return undefined;
    const summary = JSON.parse(await Deno.readTextFile(real));
    const at = typeof summary?.last_run_at === "string" ? new Date(summary.last_run_at) : undefined;
    return at && !Number.isNaN(at.getTime()) ? at : undefined;
  } catch {
    return undefined;
  }
}

async function git(
  root: string,
  args: string[],
): Promise<{ ok: boolean; out: string; err: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("git", {
      // Repo config must not make a read-only `git log` run helpers.
      args: ["-c", "core.fsmonitor=false", "-c", "log.showSignature=false", ...args],
      cwd: root,
      env: { TZ: "UTC", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UserError("git is not installed on this host");
    }
    throw err;
  }
  const dec = new TextDecoder();
  return { ok: output.success, out: dec.decode(output.stdout), err: dec.decode(output.stderr) };
}

function lastLine(text: string): string {
  return text.trim().split("\n").pop()?.trim() ?? "";
}

async function collect(req: Request): Promise<Record<string, unknown>> {
  const ctx = req.context ?? {};
  const root = typeof ctx.root === "string" ? ctx.root : "";
  const agent = typeof ctx.agent === "string" ? ctx.agent : "";
  const now = new Date(typeof ctx.now === "string" ? ctx.now : Date.now());
  if (!root.startsWith("/")) throw new UserError("request context.root must be an absolute path");
  if (!AGENT_RE.test(agent)) throw new UserError("request context.agent is not a valid agent name");
  if (Number.isNaN(now.getTime())) throw new UserError("request context.now is not a date");

  const inside = await git(root, ["rev-parse", "--is-inside-work-tree", "--show-prefix"]);
  if (!inside.ok || !inside.out.startsWith("true")) {
    throw new UserError(
      `${root} is not a git repository (${lastLine(inside.err) || "git rev-parse failed"})`,
    );
  }
  // A target below the top of a repository (a monorepo package) sees only its own commits.
  const subdir = inside.out.split("\n")[1]?.trim() !== "";

  const last = await lastRunAt(root, agent);
  const since = last ?? new Date(now.getTime() - DEFAULT_DAYS * 24 * 3600 * 1000);
  const sinceIso = since.toISOString().replace(/\.\d{3}Z$/, "Z");
  const untilIso = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  const window = last
    ? `since ${agent}'s last recorded run (${sinceIso})`
    : `in the last ${DEFAULT_DAYS} days (no recorded run for ${agent})`;

  const head = await git(root, ["rev-parse", "--verify", "--quiet", "HEAD"]);
  if (!head.ok) {
    return {
      content: "No commits yet.",
      data: { since: sinceIso, until: untilIso, total: 0, commits: [] },
    };
  }

  const log = await git(root, [
    "log",
    "--no-color",
    `--since=${sinceIso}`,
    `--until=${untilIso}`,
    "--date=format-local:%Y-%m-%d",
    `--format=%h${FIELD}%ad${FIELD}%s${RECORD}`,
    "-n",
    "1000",
    ...(subdir ? ["--", "."] : []),
  ]);
  if (!log.ok) throw new UserError(`git log failed: ${lastLine(log.err)}`);
  const commits: Commit[] = log.out.split(RECORD).map((r) => r.trim()).filter(Boolean).map((r) => {
    const [sha, date, subject] = r.split(FIELD);
    return { sha, date, subject: subject ?? "" };
  });

  if (commits.length === 0) {
    return {
      content: `No commits ${window}.`,
      data: { since: sinceIso, until: untilIso, total: 0, commits: [] },
    };
  }
  const shown = commits.length > MAX_LINES ? commits.slice(0, MAX_LINES - 1) : commits;
  const lines = shown.map((c) => `- \`${c.sha}\` ${c.date} ${c.subject}`);
  if (shown.length < commits.length) {
    const more = commits.length - shown.length;
    const many = commits.length >= 1000 ? " or more" : "";
    lines.push(`- … and ${more}${many} more (\`git log --since=${sinceIso}\`)`);
  }
  const n = commits.length;
  return {
    content: `${n}${n >= 1000 ? "+" : ""} commit${n === 1 ? "" : "s"} ${window}:\n\n${
      lines.join("\n")
    }\n`,
    data: { since: sinceIso, until: untilIso, total: n, commits: shown },
  };
}

async function main(): Promise<void> {
  let req: Request;
  try {
    req = await readRequest();
    if (req.protocol !== PROTOCOL) {
      throw new UserError(
        `unsupported protocol ${JSON.stringify(req.protocol)}; this plugin speaks ${PROTOCOL}`,
      );
    }
    if (req.hook !== "collect") {
      throw new UserError(`recent-commits only answers 'collect', not ${JSON.stringify(req.hook)}`);
    }
    respond(await collect(req));
  } catch (err) {
    if (err instanceof UserError) respond({ error: err.message });
    else throw err;
  }
}

await main();
