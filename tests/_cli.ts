/**
 * Test helper (not a test): runs the kaizen CLI as a subprocess, once from
 * source (`cli.ts`) and once from the bundle (`dist/kaizen.js`), so every CLI
 * test also proves the bundle is self-contained.
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../scripts/permissions.ts";

/** One way of starting the CLI: the full command to spawn. */
export interface CliEntry {
  name: "source" | "bundle";
  argv: string[];
}

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");

/** Absolute path of the repository root (the folder holding `deno.json`). */
export const REPO_ROOT: string = ROOT;

/** Absolute path of the bundle the `bundle` entry runs. */
export const BUNDLE_PATH = `${ROOT}/dist/kaizen.js`;

const PERMISSIONS = CLI_PERMISSIONS;

/** The two CLI entries every `cliTest` runs against. */
export const CLI_ENTRIES: CliEntry[] = [
  { name: "source", argv: [Deno.execPath(), "run", ...PERMISSIONS, `${ROOT}/cli.ts`] },
  { name: "bundle", argv: [Deno.execPath(), "run", ...PERMISSIONS, BUNDLE_PATH] },
];

/**
 * An empty config home for every child by default, so a plugins.yml (or a
 * KAIZEN_REPO) on the machine running the tests never takes part.
 */
export const EMPTY_CONFIG_HOME: string = Deno.makeTempDirSync({ prefix: "kaizen-xdg-" });
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(EMPTY_CONFIG_HOME, { recursive: true });
  } catch { /* already gone */ }
});

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function bundleExists(): Promise<boolean> {
  try {
    return (await Deno.stat(BUNDLE_PATH)).isFile;
  } catch {
    return false;
  }
}

/**
 * Runs `entry` with `args`. The child gets `NO_COLOR=1`, an empty
 * `XDG_CONFIG_HOME` and an empty `KAIZEN_REPO` unless `opts.env`
 * overrides it; stdin is piped only when `opts.stdin` is given.
 */
export async function runCli(
  entry: CliEntry,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  if (entry.name === "bundle" && !(await bundleExists())) {
    throw new Error(`${BUNDLE_PATH} is missing: run \`deno task bundle\` first`);
  }
  const [cmd, ...rest] = entry.argv;
  const child = new Deno.Command(cmd, {
    args: [...rest, ...args],
    cwd: opts.cwd,
    env: { NO_COLOR: "1", XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, KAIZEN_REPO: "", ...opts.env },
    stdin: opts.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Registers `fn` once per CLI entry, as `[source] name` and `[bundle] name`. */
export function cliTest(name: string, fn: (entry: CliEntry) => Promise<void>): void {
  for (const entry of CLI_ENTRIES) {
    Deno.test(`[${entry.name}] ${name}`, () => fn(entry));
  }
}

/**
 * Makes a temporary directory holding `files` (relative paths, folders are
 * created). The caller removes it.
 */
export async function tempRepo(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kaizen-test-" });
  for (const [rel, text] of Object.entries(files)) {
    const path = `${dir}/${rel}`;
    const slash = path.lastIndexOf("/");
    await Deno.mkdir(path.slice(0, slash), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return dir;
}
