/**
 * The `binary` doctor probe: what is running, how, with which permissions,
 * and which host plugins file a `prepare` on this host would read.
 *
 * How it tells the three ways kaizen runs apart:
 * - `Deno.build.standalone` is true only inside a `deno compile` binary;
 * - otherwise the module's own URL says it: from source this file is
 *   `…/core/doctor/probe_binary.ts`, in the `deno bundle` output
 *   (`dist/kaizen.js` and its chunks) it is a `.js` chunk.
 *
 * Permissions are compared with `scripts/permissions.ts`, the one list the
 * CLI is meant to run with. A permission that is only `prompt` counts as
 * missing: a scheduled run has no terminal to answer the prompt.
 *
 * @module
 */
import { CLI_PERMISSIONS } from "../../scripts/permissions.ts";
import { programName } from "../cli/program.ts";
import { resolve } from "../fs/paths.ts";
import { defaultHostFile } from "../plugin/locations.ts";
import { VERSION } from "../version.ts";
import type { DoctorContext, Probe, Reporter } from "./model.ts";

/** How this process runs kaizen. */
export type RunMode = "compiled" | "bundle" | "source";

/** Detects the run mode (see the module comment). */
export function runMode(
  standalone: boolean = Deno.build.standalone === true,
  moduleUrl: string = import.meta.url,
): RunMode {
  if (standalone) return "compiled";
  return /\.ts$/.test(new URL(moduleUrl).pathname) ? "source" : "bundle";
}

/** What each permission is for, to say what breaks without it. */
const NEEDED_FOR: Record<string, string> = {
  read: "reading the target repository and plugins files",
  write: "memory, metrics and --out files",
  env: "credentials and settings from the environment",
  run: "external-command plugins and git (repo slug)",
  net: "the NATS and artifact-store sinks and the state hub",
  sys: "this host's name (roster discover --host default)",
};

/** The permissions a flag may name, each as a descriptor scoped to one value (`--allow-net=HOST`). */
const SCOPED = {
  read: (path: string) => ({ name: "read", path }),
  write: (path: string) => ({ name: "write", path }),
  env: (variable: string) => ({ name: "env", variable }),
  run: (command: string) => ({ name: "run", command }),
  net: (host: string) => ({ name: "net", host }),
  sys: (kind: string) => ({ name: "sys", kind: kind as Deno.SysPermissionDescriptor["kind"] }),
  ffi: (path: string) => ({ name: "ffi", path }),
} satisfies Record<string, (value: string) => Deno.PermissionDescriptor>;

function isScoped(name: string): name is keyof typeof SCOPED {
  return Object.hasOwn(SCOPED, name);
}

/** A `--allow-*` flag as permission descriptors (one per scoped value). */
export function permissionDescriptors(flag: string): Deno.PermissionDescriptor[] {
  const m = /^--allow-([a-z-]+)(?:=(.*))?$/.exec(flag);
  if (!m || !isScoped(m[1])) return [];
  const name = m[1];
  if (m[2] === undefined) return [{ name }];
  const scoped: (value: string) => Deno.PermissionDescriptor = SCOPED[name];
  return m[2].split(",").filter((v) => v !== "").map(scoped);
}

function describe(d: Deno.PermissionDescriptor): string {
  const scope = "path" in d && d.path !== undefined
    ? String(d.path)
    : "variable" in d && d.variable !== undefined
    ? d.variable
    : "command" in d && d.command !== undefined
    ? String(d.command)
    : "host" in d && d.host !== undefined
    ? d.host
    : "kind" in d && d.kind !== undefined
    ? d.kind
    : undefined;
  return scope === undefined ? d.name : `${d.name}=${scope}`;
}

/** Queries a descriptor; `prompt` and errors read as not granted. */
async function granted(d: Deno.PermissionDescriptor): Promise<boolean> {
  try {
    return (await Deno.permissions.query(d)).state === "granted";
  } catch {
    return false;
  }
}

async function checkPermissions(report: Reporter, mode: RunMode): Promise<void> {
  report.step("binary.permissions", "run kaizen with " + CLI_PERMISSIONS.join(" "));
  const have: string[] = [];
  const missing: string[] = [];
  for (const flag of CLI_PERMISSIONS) {
    for (const d of permissionDescriptors(flag)) {
      (await granted(d) ? have : missing).push(describe(d));
    }
  }
  if (missing.length === 0) {
    report.pass("binary.permissions", `granted: ${have.join(", ")}`);
    return;
  }
  const why = missing.map((m) => `${m} (${NEEDED_FOR[m.split("=")[0]] ?? "kaizen"})`);
  const flags = CLI_PERMISSIONS.join(" ");
  const fix = mode === "compiled"
    ? `rebuild with 'deno task compile' (it bakes in ${flags})`
    : `run it as 'deno run ${flags} …' (or use ./dev kaizen / deno task kaizen)`;
  report.warn("binary.permissions", `not granted: ${why.join("; ")}`, fix);
}

async function checkPluginsFile(ctx: DoctorContext, report: Reporter): Promise<void> {
  const fix = "fix or remove the host plugins file: prepare refuses to run while it is invalid";
  report.step("binary.plugins", fix);
  const file = ctx.pluginsFile !== undefined ? resolve(ctx.pluginsFile) : defaultHostFile(ctx.env);
  if (file === undefined) {
    report.pass(
      "binary.plugins",
      "no host plugins file (neither XDG_CONFIG_HOME nor HOME is an absolute path): built-in sections and sinks only",
    );
    return;
  }
  const from = ctx.pluginsFile !== undefined
    ? "--plugins"
    : (ctx.env("XDG_CONFIG_HOME") ?? "").startsWith("/")
    ? "XDG_CONFIG_HOME"
    : "HOME";
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (err) {
    const absent = err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory;
    if (absent && ctx.pluginsFile !== undefined) {
      report.fail(
        "binary.plugins",
        `plugins file ${file} (from --plugins) does not exist`,
        "pass an existing file to --plugins, or leave it out",
      );
      return;
    }
    if (absent) {
      report.pass(
        "binary.plugins",
        `would read ${file} (from ${from}); absent: built-in sections and sinks only`,
      );
      return;
    }
    report.fail("binary.plugins", `cannot read ${file}: ${(err as Error).message}`, fix);
    return;
  }
  const { MAX_PLUGINS_FILE_BYTES, parsePluginsFile } = await import("../plugin/plugins_file.ts");
  if (!info.isFile) {
    report.fail("binary.plugins", `${file} is not a regular file`, fix);
    return;
  }
  if (info.size > MAX_PLUGINS_FILE_BYTES) {
    report.fail(
      "binary.plugins",
      `${file} is ${info.size} bytes; the limit is ${MAX_PLUGINS_FILE_BYTES}`,
      fix,
    );
    return;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(file));
  } catch (err) {
    report.fail("binary.plugins", `cannot read ${file}: ${(err as Error).message}`, fix);
    return;
  }
  const { decls, diagnostics } = await parsePluginsFile(text, file);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const d = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
    report.fail("binary.plugins", `${file}:${d.line}:${d.col}: ${d.message}${more}`, fix);
    return;
  }
  const names = decls.map((d) => d.name);
  report.pass(
    "binary.plugins",
    `reads ${file} (from ${from}): ${names.length} plugin${names.length === 1 ? "" : "s"}${
      names.length > 0 ? ` (${names.join(", ")})` : ""
    }`,
  );
}

/** The `binary` probe: version, run mode, permissions, host plugins file. */
export const binaryProbe: Probe = {
  area: "binary",
  network: false,
  deadlineMs: 5_000,
  async run(ctx, report) {
    report.step("binary.version", "re-run with KAIZEN_DEBUG=1 and report the error");
    report.pass(
      "binary.version",
      `${programName()} ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.target})`,
    );

    report.step("binary.runtime", "re-run with KAIZEN_DEBUG=1 and report the error");
    const mode = runMode();
    let exec = "deno";
    try {
      exec = Deno.execPath();
    } catch { /* no read permission: keep the name */ }
    const main = (() => {
      try {
        return decodeURIComponent(new URL(Deno.mainModule).pathname);
      } catch {
        return Deno.mainModule;
      }
    })();
    const how = mode === "compiled"
      ? `compiled binary (deno compile): ${exec}`
      : mode === "bundle"
      ? `bundle ${main} run by ${exec}`
      : `from source ${main} run by ${exec}`;
    report.pass("binary.runtime", how);

    await checkPermissions(report, mode);
    await checkPluginsFile(ctx, report);
  },
};
