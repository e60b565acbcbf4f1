/**
 * The `repo` doctor probe: is this checkout ready for scheduled runs?
 *
 * It reads what `schedule validate`, `schedule list` and `prepare` read and
 * writes nothing but a uniquely named temp file it removes at once (to prove
 * `.kaizen/agents/<agent>/` and `.kaizen/metrics/<agent>/` are writable by
 * this user). A folder that does not exist yet counts as writable when its
 * nearest existing parent is: the close-the-loop commands create it, and
 * the probe creates no folder itself.
 *
 * The dry `prepare` goes through {@link prepareBundle} with the registry a
 * real run would build (built-ins plus the host plugins file; the repo's own
 * only with `--trust-repo-plugins`) and no sink: nothing is written or sent.
 *
 * @module
 */
import { agentCatalog, type AgentEntry, packagedAgentNames } from "../agents/catalog.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { dirname, isInside, join, relative } from "../fs/paths.ts";
import { createSafeReader } from "../fs/safe_read.ts";
import { MANIFEST_PATH } from "../manifest/constants.ts";
import type { LoadedSchedule } from "../manifest/load.ts";
import type { Schedule } from "../manifest/types.ts";
import { REPO_PLUGINS_PATH } from "../plugin/locations.ts";
import { metricsDir } from "../state/layout.ts";
import { didYouMean, suggest } from "../text/suggest.ts";
import type { DoctorContext, Probe, Reporter } from "./model.ts";

/** The probe's own deadline: a dry prepare of a big repo fits, and 15 s overall holds. */
export const REPO_DEADLINE_MS = 12_000;

/** Longest a single dry prepare may take (prepare's own default is 10 s). */
const PREPARE_BUDGET_MS = 8_000;

/** Where an agent's memory lives (the folder of `memoryPath`). */
function agentStateDir(agent: string): string {
  return `.kaizen/agents/${agent}`;
}

/** Shell-quotes a path for a fix line when it needs it. */
function q(path: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** An OS error without the path Deno appends (`…: open '/long/path'`). */
function osReason(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/: [a-z]+ '[^']*'$/, "");
}

/** Outcome of probing one folder for writability. */
type DirProbe =
  | { ok: true; via?: string }
  | { ok: false; reason: string };

/**
 * Proves `rel` (inside `root`) writable by creating and removing a temp
 * file in it, or in its nearest existing parent when it does not exist yet.
 */
export async function probeWritable(root: string, rel: string): Promise<DirProbe> {
  let realRoot: string;
  try {
    realRoot = await Deno.realPath(root);
  } catch (err) {
    return { ok: false, reason: `cannot resolve the repository: ${osReason(err)}` };
  }
  let dir = join(root, rel);
  let info: Deno.FileInfo | undefined;
  for (;;) {
    try {
      info = await Deno.stat(dir);
      break;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        return { ok: false, reason: `${rel}/ cannot be inspected: ${osReason(err)}` };
      }
      if (dir === root || !isInside(root, dir)) {
        return { ok: false, reason: "the repository folder is gone" };
      }
      dir = dirname(dir);
    }
  }
  const shown = `${relative(root, dir)}/`.replace(/^\.\/$/, "./");
  if (!info.isDirectory) return { ok: false, reason: `${shown} is not a folder` };
  let real: string;
  try {
    real = await Deno.realPath(dir);
  } catch (err) {
    return { ok: false, reason: `${shown} cannot be resolved: ${osReason(err)}` };
  }
  if (!isInside(realRoot, real)) {
    return { ok: false, reason: `${shown} leads outside the repository (symlink)` };
  }
  const probe = join(dir, `.kaizen-doctor-${crypto.randomUUID()}.tmp`);
  try {
    const file = await Deno.open(probe, { write: true, createNew: true, mode: 0o600 });
    file.close();
  } catch (err) {
    return { ok: false, reason: `cannot create a file in ${shown}: ${osReason(err)}` };
  }
  try {
    await Deno.remove(probe);
  } catch (err) {
    return {
      ok: false,
      reason: `created but cannot remove ${relative(root, probe)}: ${osReason(err)}`,
    };
  }
  return join(root, rel) === dir ? { ok: true } : { ok: true, via: shown };
}

/** The manifest's agents even when the only errors are unknown agents (re-parsed without the catalog). */
async function recoverSchedule(
  root: string,
  loaded: LoadedSchedule,
): Promise<Schedule | undefined> {
  if (loaded.schedule) return loaded.schedule;
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0 || !errors.every((d) => d.code === "unknown-agent")) return undefined;
  const files = await createSafeReader(root);
  const read = await files.readText(MANIFEST_PATH);
  if (read.status !== "ok") return undefined;
  const { parseSchedule } = await import("../manifest/parse.ts");
  return parseSchedule(read.text, loaded.file).schedule;
}

function firstError(loaded: LoadedSchedule): Diagnostic | undefined {
  return loaded.diagnostics.find((d) => d.severity === "error");
}

/** The `repo` probe. Reports `repo.target` skipped when no repository applies. */
export const repoProbe: Probe = {
  area: "repo",
  network: false,
  deadlineMs: REPO_DEADLINE_MS,
  async run(ctx, report) {
    const started = Date.now();
    if (ctx.target === undefined) {
      report.skip(
        "repo.target",
        "no --target, and the current folder has no .kaizen/: repository checks skipped",
      );
      return;
    }
    const root = ctx.target;
    const t = q(root);
    const aborted = () => ctx.signal.aborted;

    // --- the manifest ---------------------------------------------------------
    const validateFix = `run kaizen schedule validate --target ${t}`;
    report.step("repo.manifest", validateFix);
    const { loadSchedule } = await import("../manifest/load.ts");
    const loaded = await loadSchedule(root);
    const warnings = loaded.diagnostics.filter((d) => d.severity === "warning").length;
    if (!loaded.exists) {
      report.fail(
        "repo.manifest",
        `no ${MANIFEST_PATH} in ${root}`,
        `create one: kaizen schedule init --target ${t}`,
      );
    } else if (!loaded.schedule) {
      const errors = loaded.diagnostics.filter((d) => d.severity === "error").length;
      const d = firstError(loaded);
      const where = d ? `${loaded.file}:${d.line}:${d.col}: ${d.message}` : loaded.file;
      report.fail("repo.manifest", `invalid (${plural(errors, "error")}): ${where}`, validateFix);
    } else {
      const agents = Object.values(loaded.schedule.agents);
      const enabled = agents.filter((a) => a.enabled).length;
      const detail = `${loaded.file} valid: ${plural(agents.length, "agent")} (${enabled} enabled)${
        warnings > 0 ? `, ${plural(warnings, "warning")}` : ""
      }, timezone ${loaded.schedule.timezone ?? "UTC (default)"}`;
      if (warnings > 0) report.warn("repo.manifest", detail, validateFix);
      else report.pass("repo.manifest", detail);
    }
    if (aborted()) return;

    // --- every scheduled agent resolvable -------------------------------------
    report.step("repo.agents", `list the agents: kaizen agents list --target ${t}`);
    const catalog = await agentCatalog(root);
    const byName = new Map<string, AgentEntry>(catalog.map((a) => [a.name, a]));
    const names = catalog.map((a) => a.name);
    const schedule = await recoverSchedule(root, loaded);
    const scheduled = schedule ? Object.keys(schedule.agents) : [];
    const missing = scheduled.filter((a) => !byName.has(a));
    if (!loaded.exists) {
      report.skip("repo.agents", "no manifest: no scheduled agents to resolve");
    } else if (!schedule) {
      report.skip("repo.agents", "the manifest is invalid: scheduled agents not checked");
    } else if (missing.length > 0) {
      const a = missing[0];
      const like = suggest(a, names);
      report.fail(
        "repo.agents",
        `${plural(missing.length, "scheduled agent")} neither installed nor packaged: ${
          missing.join(", ")
        }${didYouMean(a, names)}`,
        like !== undefined
          ? `rename '${a}' to '${like}' in ${MANIFEST_PATH}, or add its prompt as agents/agent-${a}.md`
          : `add its prompt as agents/agent-${a}.md, or remove '${a}' from ${MANIFEST_PATH} (kaizen agents install only installs packaged agents: ${
            packagedAgentNames().join(", ")
          })`,
      );
    } else if (scheduled.length === 0) {
      report.pass("repo.agents", "the manifest schedules no agents");
    } else {
      report.pass(
        "repo.agents",
        `${plural(scheduled.length, "agent")} resolvable: ${
          scheduled.map((a) => `${a} (${byName.get(a)!.source})`).join(", ")
        }`,
      );
    }
    if (aborted()) return;

    // --- --agent restricts the per-agent checks ---------------------------------
    const resolvable = (a: string) => byName.has(a);
    const enabledAgents = schedule
      ? Object.entries(schedule.agents).filter(([a, s]) => s.enabled && resolvable(a)).map(([a]) =>
        a
      )
      : [];
    let checked = enabledAgents;
    if (ctx.agent !== undefined) {
      const a = ctx.agent;
      report.step("repo.agent", `pass an agent this repo knows: ${names.join(", ")}`);
      if (!byName.has(a)) {
        report.fail(
          "repo.agent",
          `--agent '${a}' is neither installed nor packaged${didYouMean(a, names)}`,
          `pass one of: ${names.join(", ")}`,
        );
        checked = [];
      } else if (schedule && !(a in schedule.agents)) {
        report.warn(
          "repo.agent",
          `agent '${a}' is not scheduled in ${MANIFEST_PATH}; checking it anyway`,
          `add '${a}:' under agents: in ${MANIFEST_PATH} if it should run here`,
        );
        checked = [a];
      } else {
        const state = schedule ? (schedule.agents[a].enabled ? "enabled" : "disabled") : "";
        report.pass("repo.agent", `checks restricted to agent '${a}'${state ? ` (${state})` : ""}`);
        checked = [a];
      }
    }
    if (aborted()) return;

    // --- next runs --------------------------------------------------------------
    report.step("repo.next-runs", `check the cron: kaizen schedule list --target ${t}`);
    if (!loaded.schedule) {
      report.skip(
        "repo.next-runs",
        loaded.exists
          ? "the manifest is invalid: no run is scheduled until it is fixed"
          : "no manifest: nothing scheduled",
      );
    } else {
      const { listSchedule } = await import("../manifest/listing.ts");
      const list = listSchedule(loaded.schedule, { now: ctx.now, file: loaded.file });
      const listed = ctx.agent === undefined
        ? list.agents
        : list.agents.filter((a) => a.agent === ctx.agent);
      const never = listed.filter((a) => a.state === "never");
      const runs = listed.filter((a) => a.state === "scheduled")
        .map((a) => `${a.agent} ${a.next_run} (${a.next_run_utc})`);
      if (never.length > 0) {
        report.warn(
          "repo.next-runs",
          `${never.map((a) => `${a.agent} (cron ${a.cron})`).join(", ")} never fires${
            runs.length > 0 ? `; ${runs.join(", ")}` : ""
          }`,
          `fix the cron in ${MANIFEST_PATH}; kaizen schedule list --target ${t} shows the next runs`,
        );
      } else if (runs.length === 0) {
        const which = ctx.agent === undefined ? "no agent is enabled" : `'${ctx.agent}' is not`;
        if (ctx.agent !== undefined && !(ctx.agent in loaded.schedule.agents)) {
          report.skip("repo.next-runs", `agent '${ctx.agent}' is not scheduled`);
        } else {
          report.warn(
            "repo.next-runs",
            `nothing will run: ${which} enabled in ${MANIFEST_PATH}`,
            `set enabled: true for the agents that should run in ${MANIFEST_PATH}`,
          );
        }
      } else {
        report.pass("repo.next-runs", `${runs.join(", ")}; timezone ${list.timezone}`);
      }
    }
    if (aborted()) return;

    // --- state folders writable by this user -------------------------------------
    const user = ctx.env("USER") ?? ctx.env("LOGNAME") ?? "this user";
    if (checked.length === 0) {
      report.skip("repo.writable", "no agent to check");
    }
    for (const agent of checked) {
      const id = `repo.writable.${agent}`;
      const fix = `let ${user} write there: chown -R ${user} ${q(join(root, ".kaizen"))}`;
      report.step(id, fix);
      const dirs = [agentStateDir(agent), metricsDir(agent)];
      const problems: string[] = [];
      const notes: string[] = [];
      for (const rel of dirs) {
        const r = await probeWritable(root, rel);
        if (!r.ok) problems.push(r.reason);
        else if (r.via) notes.push(`${rel}/ not created yet, ${r.via} writable`);
      }
      if (problems.length > 0) {
        report.fail(id, `${user} cannot write: ${problems.join("; ")}`, fix);
      } else {
        report.pass(
          id,
          `${dirs.map((d) => `${d}/`).join(" and ")} writable by ${user}${
            notes.length > 0 ? ` (${notes.join("; ")})` : ""
          }`,
        );
      }
      if (aborted()) return;
    }

    // --- SCOPE.md / TODO.md ------------------------------------------------------
    const reader = await createSafeReader(root);
    const pointers = [
      { id: "repo.scope", path: "SCOPE.md", what: "what sessions may and may not change" },
      { id: "repo.todo", path: "TODO.md", what: "open items as '- [ ] …' lines" },
    ];
    for (const p of pointers) {
      report.step(p.id, `make ${p.path} a readable UTF-8 file in the repository root`);
      const r = await reader.readText(p.path);
      if (r.status === "ok") {
        const lines = r.text.split("\n").length - (r.text.endsWith("\n") ? 1 : 0);
        report.pass(p.id, `${p.path} present (${plural(lines, "line")})`);
      } else if (r.status === "missing") {
        report.warn(
          p.id,
          `no ${p.path} in the repository root: bundles go without it`,
          `add ${p.path} (${p.what})`,
        );
      } else {
        report.warn(
          p.id,
          `${p.path} not readable by prepare: ${r.reason}`,
          `make ${p.path} a regular UTF-8 file inside the repository, under 1 MiB`,
        );
      }
    }
    if (aborted()) return;

    // --- the repo's own plugins file ---------------------------------------------
    report.step("repo.plugins", `check it: kaizen plugins list --target ${t} --trust-repo-plugins`);
    let repoFile: Deno.FileInfo | undefined;
    try {
      repoFile = await Deno.lstat(join(root, REPO_PLUGINS_PATH));
    } catch { /* absent */ }
    if (!repoFile) {
      report.pass("repo.plugins", `no ${REPO_PLUGINS_PATH}: no repository plugins to trust`);
    } else {
      const { MAX_PLUGINS_FILE_BYTES, parsePluginsFile } = await import(
        "../plugin/plugins_file.ts"
      );
      const limited = await createSafeReader(root, MAX_PLUGINS_FILE_BYTES);
      const read = await limited.readText(REPO_PLUGINS_PATH);
      let declared = "";
      let invalid: string | undefined;
      if (read.status === "ok") {
        const { decls, diagnostics } = await parsePluginsFile(
          read.text,
          join(root, REPO_PLUGINS_PATH),
          { confineTo: root },
        );
        const d = diagnostics.find((x) => x.severity === "error");
        if (d) invalid = `${REPO_PLUGINS_PATH}:${d.line}:${d.col}: ${d.message}`;
        else {declared = ` declares ${plural(decls.length, "plugin")} (${
            decls.map((x) => x.name).join(", ")
          })`;}
      } else if (read.status === "refused") {
        invalid = `${REPO_PLUGINS_PATH} not readable: ${read.reason}`;
      }
      if (ctx.trustRepoPlugins) {
        if (invalid) {
          report.fail(
            "repo.plugins",
            `trusted (--trust-repo-plugins) but invalid: ${invalid}`,
            `fix ${REPO_PLUGINS_PATH}: prepare --trust-repo-plugins refuses to run while it is invalid`,
          );
        } else {
          report.pass(
            "repo.plugins",
            `${REPO_PLUGINS_PATH}${declared}: trusted (--trust-repo-plugins), prepare runs them`,
          );
        }
      } else {
        report.warn(
          "repo.plugins",
          `${REPO_PLUGINS_PATH}${declared} is ignored: prepare runs repository plugins only with --trust-repo-plugins${
            invalid ? ` (and it is invalid: ${invalid})` : ""
          }`,
          "if this host trusts the repository, add --trust-repo-plugins to its scheduled prepare command (and to doctor); else remove the file",
        );
      }
    }
    if (aborted()) return;

    // --- a dry prepare of each checked agent -------------------------------------
    if (checked.length === 0) {
      report.skip("repo.prepare", "no agent to prepare");
      return;
    }
    await dryPrepares(ctx, report, root, checked, started);
  },
};

async function dryPrepares(
  ctx: DoctorContext,
  report: Reporter,
  root: string,
  agents: readonly string[],
  started: number,
): Promise<void> {
  const t = q(root);
  const [{ prepareBundle, PrepareError }, { loadTokenCounter }, registry] = await Promise.all([
    import("../bundle/prepare.ts"),
    import("../bundle/tokens.ts"),
    buildDoctorRegistry(ctx, root),
  ]);
  for (const agent of agents) {
    if (ctx.signal.aborted) return;
    const id = `repo.prepare.${agent}`;
    const fix = `run it and read its warnings: kaizen schedule prepare ${agent} --target ${t}`;
    report.step(id, fix);
    if (!registry.ok) {
      report.fail(id, `plugins not loaded: ${registry.error}`, registry.fix);
      continue;
    }
    const left = REPO_DEADLINE_MS - (Date.now() - started) - 500;
    if (left < 500) {
      report.fail(id, "not run: the repo checks used up their time", fix);
      continue;
    }
    const warnings: string[] = [];
    let prepared;
    try {
      prepared = await prepareBundle({
        target: root,
        agent,
        format: "markdown",
        now: ctx.now,
        registry: registry.value,
        deadlineMs: Math.min(PREPARE_BUDGET_MS, left),
        env: ctx.env,
        onWarning: (m, level) => {
          if (level === "warning") warnings.push(m);
        },
      });
    } catch (err) {
      if (err instanceof PrepareError) {
        report.fail(id, err.message, fix);
        continue;
      }
      throw err;
    }
    const { bundle, rendering } = prepared;
    for (const w of bundle.warnings) if (!warnings.includes(w)) warnings.push(w);
    const count = await loadTokenCounter();
    const bytes = new TextEncoder().encode(rendering.text).length;
    const tokens = count(rendering.text);
    const detail = `${agent}: ${kib(bytes)}, ${tokens.toLocaleString("en-US")} tokens, ${
      plural(bundle.redactions, "redaction")
    }, ${plural(warnings.length, "warning")}`;
    if (warnings.length > 0) {
      report.warn(id, `${detail}; first: ${warnings[0]}`, fix);
    } else if (bundle.redactions > 0) {
      report.warn(
        id,
        `${detail}: secrets in the repository's state files were masked`,
        "remove the secrets from the memory, metrics notes, SCOPE.md or TODO.md (the bundle shows [REDACTED:…] where)",
      );
    } else if (prepared.pluginFailures > 0) {
      report.warn(id, `${detail}; ${plural(prepared.pluginFailures, "plugin hook")} failed`, fix);
    } else {
      report.pass(id, detail);
    }
  }
}

type RegistryResult =
  | { ok: true; value: import("../plugin/registry.ts").PluginRegistry }
  | { ok: false; error: string; fix: string };

/**
 * The registry prepare would build, through the same builder: the
 * in-process plugins (built-ins, a team binary's), the host plugins file,
 * the repo's when trusted.
 */
async function buildDoctorRegistry(ctx: DoctorContext, root: string): Promise<RegistryResult> {
  const { buildRegistry } = await import("../plugin/build.ts");
  try {
    // Its notices are what repo.plugins reports already.
    const value = await buildRegistry(ctx.plugins ?? { builtins: [], embedded: [] }, {
      root,
      pluginsFile: ctx.pluginsFile,
      trustRepoPlugins: ctx.trustRepoPlugins === true,
      notice: () => {},
      env: ctx.env,
    });
    return { ok: true, value };
  } catch (err) {
    return {
      ok: false,
      error: (err as Error).message,
      fix: "fix the plugins file named above (see binary.plugins and repo.plugins)",
    };
  }
}
