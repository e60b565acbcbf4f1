import type { Diagnostic } from "../diagnostics.ts";
import { isInside, join, resolve } from "../fs/paths.ts";
import { agentCatalog, packagedAgentNames } from "../agents/catalog.ts";
import { MANIFEST_PATH, MAX_MANIFEST_BYTES } from "./constants.ts";
import { fastParseSchedule } from "./fast_parse.ts";
import type { Schedule } from "./types.ts";

/** The outcome of reading a target repo's manifest. */
export interface LoadedSchedule {
  /** Absolute path of the target repo. */
  root: string;
  /** Manifest path as the user would type it (`<target>/.kaizen/schedule.yml`). */
  file: string;
  /** False when the repo has no manifest at all (not an error for `prepare`). */
  exists: boolean;
  /** Present when the manifest exists and is valid. */
  schedule?: Schedule;
  diagnostics: Diagnostic[];
  /** Agent names known for this target (installed + packaged). */
  knownAgents: string[];
}

/** Options for {@link loadSchedule}. */
export interface LoadScheduleOptions {
  /**
   * `false`: look at the repo's installed agents only when the manifest names
   * an agent that is not packaged (the roster resolver loads thousands of
   * manifests; most name packaged agents only). `knownAgents` then lists the
   * names the manifest was checked against. Default `true`.
   */
  fullCatalog?: boolean;
  /**
   * Validate this file instead of `<target>/.kaizen/schedule.yml` (a path
   * the user named, as `schedule validate FILE` takes it); agent names are
   * still checked against `target`'s agents.
   */
  file?: string;
}

/**
 * Reads and validates `<target>/.kaizen/schedule.yml`, checking agent names
 * against the target's installed and packaged agents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDiagnostic, loadSchedule } from "../../mod.ts";
 *
 * const repo = await Deno.makeTempDir();
 * try {
 *   assert.equal((await loadSchedule(repo)).exists, false); // not opted in: not an error
 *
 *   await Deno.mkdir(`${repo}/.kaizen`);
 *   await Deno.writeTextFile(
 *     `${repo}/.kaizen/schedule.yml`,
 *     'version: "1"\nagents:\n  coach:\n    cadence: weekly\n  reviewer:\n    cadence: daily\n',
 *   );
 *   const loaded = await loadSchedule(repo);
 *   assert.equal(loaded.schedule, undefined); // invalid: no agent named reviewer here
 *   const [problem] = loaded.diagnostics;
 *   assert.deepEqual([problem.code, problem.line, problem.col], ["unknown-agent", 5, 3]);
 *   assert.match(formatDiagnostic(problem), /schedule\.yml:5:3: error: .*'reviewer'/);
 * } finally {
 *   await Deno.remove(repo, { recursive: true });
 * }
 * ```
 */
export async function loadSchedule(
  target: string,
  options: LoadScheduleOptions = {},
): Promise<LoadedSchedule> {
  const root = resolve(target);
  const file = options.file ?? join(target, MANIFEST_PATH);
  const lazy = options.fullCatalog === false;
  let knownAgents = lazy ? packagedAgentNames() : (await agentCatalog(root)).map((a) => a.name);
  const base = { root, file, knownAgents };
  const fail = (code: string, message: string): LoadedSchedule => ({
    ...base,
    exists: true,
    diagnostics: [{ severity: "error", code, message, path: [], line: 1, col: 1, file }],
  });
  // Synchronous file-system calls: a local checkout answers in microseconds,
  // and the resolver loads thousands of manifests, where each async round
  // trip cost more than the work (measured: half of a 1,000-repo run).
  let info: Deno.FileInfo;
  let real: string = options.file !== undefined ? resolve(options.file) : join(root, MANIFEST_PATH);
  try {
    if (options.file !== undefined) {
      // A file named on the command line is the user's choice, not repo
      // content reached through a link: read what it points at.
      info = Deno.statSync(real);
    } else {
      // The repo is untrusted: a committed symlink must not make us read (and
      // quote in diagnostics) a file outside it. When neither `.kaizen` nor the
      // manifest is a symlink, the file is inside the repo by construction (two
      // lstat calls); otherwise real paths decide.
      const dir = Deno.lstatSync(join(root, ".kaizen"));
      const own = Deno.lstatSync(real);
      if (dir.isDirectory && !dir.isSymlink && !own.isSymlink) {
        info = own;
      } else {
        real = Deno.realPathSync(real);
        if (!isInside(Deno.realPathSync(root), real)) {
          return fail(
            "outside-repo",
            "manifest is a symlink that resolves outside the repository; refusing to read it",
          );
        }
        info = Deno.statSync(real);
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return { ...base, exists: false, diagnostics: [] };
    }
    return fail("unreadable", `cannot read manifest: ${(err as Error).message}`);
  }
  if (!info.isFile) return fail("unreadable", "manifest is not a regular file");
  if (info.size > MAX_MANIFEST_BYTES) {
    return fail(
      "too-large",
      `manifest is ${info.size} bytes; the limit is ${MAX_MANIFEST_BYTES} (256 KiB)`,
    );
  }
  let text: string;
  try {
    // Regular file checked above, so the read cannot block on a FIFO.
    const bytes = Deno.readFileSync(real);
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    if (err instanceof TypeError) return fail("not-utf8", "manifest is not valid UTF-8 text");
    return fail("unreadable", `cannot read manifest: ${(err as Error).message}`);
  }
  // The common, valid manifest needs no YAML library (see fast_parse.ts).
  const fast = fastParseSchedule(text, knownAgents);
  if (fast) return { ...base, exists: true, schedule: fast, diagnostics: [] };
  const { parseSchedule } = await import("./parse.ts");
  let { schedule, diagnostics } = parseSchedule(text, file, { knownAgents });
  if (lazy && diagnostics.some((d) => d.code === "unknown-agent")) {
    // Maybe an installed agent: check again against the whole catalog.
    knownAgents = (await agentCatalog(root)).map((a) => a.name);
    base.knownAgents = knownAgents;
    ({ schedule, diagnostics } = parseSchedule(text, file, { knownAgents }));
  }
  if (diagnostics.length > 0) diagnostics = await redactDiagnostics(text, diagnostics);
  return schedule
    ? { ...base, exists: true, schedule, diagnostics }
    : { ...base, exists: true, diagnostics };
}

/**
 * Diagnostics quote the manifest (a bad timezone, a cron, a key): a token
 * pasted into the wrong field would be printed by `validate`, `list`,
 * `roster discover`, `doctor` and the MCP server. They all get them from
 * here, so this is where quotes are redacted: every secret found in the
 * manifest is masked wherever a message quotes it, whole or cut short (a
 * quote is shortened to a prefix, which no rule would recognise on its
 * own), and then the message is scanned as a text of its own. Loaded only
 * on this path: a valid manifest costs nothing.
 */
async function redactDiagnostics(text: string, diagnostics: Diagnostic[]): Promise<Diagnostic[]> {
  const { redactSecretsSync, secretSpans } = await import("../redact/redact.ts");
  const { redactionMarker } = await import("../redact/rules.ts");
  const secrets = secretSpans(text).map((s) => ({
    value: text.slice(s.start, s.end),
    marker: redactionMarker(s.rule),
  }));
  const clean = (msg: string) => {
    for (const { value, marker } of secrets) {
      // Longest prefix first; 8 characters is where a quote stops being generic.
      for (let k = value.length; k >= 8; k--) {
        const piece = value.slice(0, k);
        if (msg.includes(piece)) {
          msg = msg.split(piece).join(marker);
          break;
        }
      }
    }
    return redactSecretsSync(msg, { source: "schedule.yml" }).text;
  };
  return diagnostics.map((d) => ({
    ...d,
    message: clean(d.message),
    path: d.path.map((p) => (typeof p === "string" ? clean(p) : p)),
  }));
}
