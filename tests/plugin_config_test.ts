import assert from "node:assert/strict";
import { CliError } from "../core/cli/io.ts";
import {
  defaultHostFile,
  loadPluginConfigs,
  parsePluginsFile,
  PluginConfigError,
} from "../core/plugin/config.ts";
import { PluginRegistry } from "../core/plugin/registry.ts";

const VALID = `version: 1
plugins:
  - name: recent-commits            # a comment
    command: ["./bin/recent-commits", "--since-last-run"]
    timeout_ms: 5000
    env_passthrough: [GIT_DIR]
    sections:
      - { id: recent-commits, title: "Recent commits", order: 350, priority: 15 }
  - name: webhook
    command: ["/usr/local/bin/kaizen-webhook"]
    sinks:
      - { name: webhook }
`;

const noEnv = () => undefined;

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The first diagnostic for `text`, as `line:col message`. */
async function firstProblem(text: string, file = "/etc/kaizen/plugins.yml"): Promise<string> {
  const { decls, diagnostics } = await parsePluginsFile(text, file);
  assert.deepEqual(decls, []);
  assert.ok(diagnostics.length > 0, "expected a problem");
  const d = diagnostics[0];
  return `${d.line}:${d.col} ${d.message}`;
}

Deno.test("parse: a valid file gives declarations with relative commands resolved", async () => {
  const { decls, diagnostics } = await parsePluginsFile(VALID, "/etc/kaizen/plugins.yml");
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(decls, [
    {
      name: "recent-commits",
      command: ["/etc/kaizen/bin/recent-commits", "--since-last-run"],
      timeout_ms: 5000,
      env_passthrough: ["GIT_DIR"],
      sections: [{ id: "recent-commits", title: "Recent commits", order: 350, priority: 15 }],
    },
    { name: "webhook", command: ["/usr/local/bin/kaizen-webhook"], sinks: [{ name: "webhook" }] },
  ]);
});

Deno.test("parse: bare command names are left for PATH", async () => {
  const { decls } = await parsePluginsFile(
    "version: 1\nplugins:\n  - name: p\n    command: [deno, run, ./x.ts]\n    sinks: [{ name: p }]\n",
    "/etc/kaizen/plugins.yml",
  );
  assert.deepEqual(decls[0].command, ["deno", "run", "./x.ts"]);
});

Deno.test("parse: an empty plugin list is fine", async () => {
  for (const text of ["version: 1\nplugins: []\n", "version: 1\nplugins:\n"]) {
    const { decls, diagnostics } = await parsePluginsFile(text, "/x/plugins.yml");
    assert.deepEqual([decls, diagnostics], [[], []]);
  }
});

Deno.test("parse: each strictness error carries line and column", async () => {
  const head = "version: 1\nplugins:\n";
  const cases: [string, string | RegExp][] = [
    [
      "version: 1\nplugins: []\nextra: 1\n",
      "3:1 unknown key 'extra' in the file; allowed: version, plugins",
    ],
    ["version: 2\nplugins: []\n", "1:10 version must be 1, got number 2"],
    ["plugins: []\n", "1:1 missing required key 'version' (add: version: 1)"],
    ["version: 1\n", "1:1 missing required key 'plugins' (a list of plugins)"],
    ["version: 1\nplugins: {}\n", "2:10 plugins must be a list, got a mapping"],
    ["", /^1:1 plugins file is empty/],
    ["version: 1\nplugins: [\n", /^\d+:\d+ YAML syntax error/],
    ["version: 1\nversion: 1\nplugins: []\n", "2:1 duplicate key 'version'"],
    [
      head + "  - name: p\n    comand: [x]\n    sinks: [{ name: p }]\n",
      "4:5 unknown key 'comand' in a plugin (did you mean 'command'?); allowed: name, command, timeout_ms, env_passthrough, sections, sinks",
    ],
    [
      head + "  - name: Bad_Name\n    command: [x]\n    sinks: [{ name: p }]\n",
      "3:11 plugin name must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits, '-'), got 'Bad_Name'",
    ],
    [
      head + "  - name: p\n    sinks: [{ name: p }]\n",
      /^3:5 plugin 'p' is missing required key 'command'/,
    ],
    [
      head + "  - name: p\n    command: /bin/p --x\n    sinks: [{ name: p }]\n",
      /^4:14 command must be a list \(argv, no shell\)/,
    ],
    [
      head + "  - name: p\n    command: []\n    sinks: [{ name: p }]\n",
      "4:14 command must name a program: it is an empty list",
    ],
    [
      head + "  - name: p\n    command: [x, 3]\n    sinks: [{ name: p }]\n",
      "4:18 command[1] must be a string, got number 3",
    ],
    [
      head + "  - name: p\n    command: [x]\n    timeout_ms: 99999999\n    sinks: [{ name: p }]\n",
      "5:17 timeout_ms must be an integer from 100 to 600000 (milliseconds), got number 99999999",
    ],
    [
      head +
      '  - name: p\n    command: [x]\n    env_passthrough: ["A-B"]\n    sinks: [{ name: p }]\n',
      "5:23 'A-B' is not an environment variable name",
    ],
    [
      head + "  - name: p\n    command: [x]\n",
      "3:5 plugin 'p' declares no sections and no sinks; add at least one",
    ],
    [
      head + "  - name: p\n    command: [x]\n    sections:\n      - { id: s, order: 1 }\n",
      "6:9 section 's' is missing required key 'title'",
    ],
    [
      head +
      "  - name: p\n    command: [x]\n    sections:\n      - { id: s, title: S, order: soon }\n",
      "6:35 order must be a number, got 'soon'",
    ],
    [
      head +
      "  - name: p\n    command: [x]\n    sections:\n      - { id: s, title: S, order: 1, colour: red }\n",
      /^6:38 unknown key 'colour' in a section; allowed: id, title, order, priority/,
    ],
    [
      head + '  - name: p\n    command: [x]\n    sinks:\n      - { name: "NO" }\n',
      /^6:17 sink name must match/,
    ],
    [
      head +
      "  - name: p\n    command: [x]\n    sinks: [{ name: p }]\n  - name: p\n    command: [y]\n    sinks: [{ name: q }]\n",
      "6:11 plugin 'p' is declared twice",
    ],
    [
      head +
      "  - name: p\n    command: [x]\n    sections: [{ id: s, title: S, order: 1 }]\n  - name: q\n    command: [y]\n    sections: [{ id: s, title: T, order: 2 }]\n",
      "8:22 section 's' is already declared by plugin 'p'",
    ],
  ];
  for (const [text, expected] of cases) {
    const got = await firstProblem(text);
    if (typeof expected === "string") assert.equal(got, expected, `for:\n${text}`);
    else assert.match(got, expected, `for:\n${text}`);
  }
});

Deno.test("parse: the plugins file has the alias limits of every config file", async () => {
  const many = `x: &a 1\ny: [${Array(51).fill("*a").join(", ")}]\nversion: 1\nplugins: []\n`;
  assert.equal(
    await firstProblem(many),
    "2:5 plugins file uses 51 aliases; at most 50 are allowed (alias expansion is capped)",
  );
  assert.equal(
    await firstProblem("version: 1\nplugins: *p\n"),
    "2:10 YAML syntax error: alias '*p' has no anchor '&p' before it",
  );
});

Deno.test("parse: a command written as one string shows it as a list", async () => {
  const text =
    "version: 1\nplugins:\n  - name: p\n    command: /bin/p --x\n    sinks: [{ name: p }]\n";
  assert.equal(
    await firstProblem(text),
    `4:14 command must be a list (argv, no shell), got '/bin/p --x'; e.g. ["/bin/p", "--x"]`,
  );
});

Deno.test("load: --plugins FILE loads it, and its plugins register", async () => {
  await withTemp(async (dir) => {
    await Deno.writeTextFile(`${dir}/plugins.yml`, VALID);
    const { plugins, notices } = await loadPluginConfigs({
      root: dir,
      pluginsFile: `${dir}/plugins.yml`,
      trustRepoPlugins: false,
      env: noEnv,
    });
    assert.deepEqual(notices, []);
    assert.deepEqual(plugins.map((p) => p.plugin.name), ["recent-commits", "webhook"]);
    assert.deepEqual(plugins[0].origin, {
      kind: "external",
      file: `${dir}/plugins.yml`,
      command: [`${dir}/bin/recent-commits`, "--since-last-run"],
    });
    const registry = new PluginRegistry();
    for (const p of plugins) registry.add(p.plugin, p.origin);
    assert.equal(registry.sections()[0].section.priority, 15);
    assert.ok(registry.sink("webhook"));
  });
});

Deno.test("load: a missing --plugins file is a one-line error, exit 1", async () => {
  await withTemp(async (dir) => {
    await assert.rejects(
      loadPluginConfigs({
        root: dir,
        pluginsFile: "no/such/plugins.yml",
        trustRepoPlugins: false,
        env: noEnv,
      }),
      (err: unknown) => {
        assert.ok(err instanceof PluginConfigError);
        assert.ok(err instanceof CliError);
        assert.equal(err.exitCode, 1);
        assert.equal(err.message, "plugins file 'no/such/plugins.yml' does not exist");
        return true;
      },
    );
  });
});

Deno.test("load: an invalid file throws file:line:col and counts the rest", async () => {
  await withTemp(async (dir) => {
    const file = `${dir}/plugins.yml`;
    await Deno.writeTextFile(file, "version: 1\nplugins:\n  - name: X\n    comand: [x]\n");
    await assert.rejects(
      loadPluginConfigs({ root: dir, pluginsFile: file, trustRepoPlugins: false, env: noEnv }),
      (err: unknown) => {
        assert.ok(err instanceof PluginConfigError);
        assert.match(
          err.message,
          new RegExp(`^${file}:3:11: plugin name must match .* \\(and 1 more problem\\)$`),
        );
        assert.equal(err.diagnostics.length, 2);
        return true;
      },
    );
  });
});

Deno.test("load: the host file comes from XDG_CONFIG_HOME, else HOME; absent is fine", async () => {
  assert.equal(
    defaultHostFile((k) => ({ XDG_CONFIG_HOME: "/x", HOME: "/h" })[k]),
    "/x/kaizen/plugins.yml",
  );
  assert.equal(
    defaultHostFile((k) => ({ XDG_CONFIG_HOME: "rel", HOME: "/h" })[k]),
    "/h/.config/kaizen/plugins.yml",
  );
  assert.equal(defaultHostFile(noEnv), undefined);
  await withTemp(async (dir) => {
    const env = (k: string) => ({ XDG_CONFIG_HOME: `${dir}/config` })[k];
    assert.deepEqual(await loadPluginConfigs({ root: dir, trustRepoPlugins: false, env }), {
      plugins: [],
      notices: [],
    });
    await Deno.mkdir(`${dir}/config/kaizen`, { recursive: true });
    await Deno.writeTextFile(`${dir}/config/kaizen/plugins.yml`, VALID);
    const { plugins } = await loadPluginConfigs({ root: dir, trustRepoPlugins: false, env });
    assert.equal(plugins.length, 2);
    assert.deepEqual(
      plugins[0].origin.kind === "external" && plugins[0].origin.command[0],
      `${dir}/config/kaizen/bin/recent-commits`,
    );
  });
});

const REPO_FILE = `version: 1
plugins:
  - name: repo-notes
    command: ["./tools/notes.sh"]
    sections:
      - { id: repo-notes, title: "Repo notes", order: 450 }
`;

Deno.test("load: an untrusted repo plugins file is ignored with a notice", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen`);
    await Deno.writeTextFile(`${dir}/.kaizen/plugins.yml`, REPO_FILE);
    const { plugins, notices } = await loadPluginConfigs({
      root: dir,
      trustRepoPlugins: false,
      env: noEnv,
    });
    assert.deepEqual(plugins, []);
    assert.deepEqual(notices, [
      `ignoring ${dir}/.kaizen/plugins.yml: repository plugins run code on this host; pass --trust-repo-plugins to allow`,
    ]);
  });
});

Deno.test("load: a trusted repo plugins file loads, commands resolving inside the repo", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen`);
    await Deno.writeTextFile(`${dir}/.kaizen/plugins.yml`, REPO_FILE);
    await Deno.writeTextFile(`${dir}/host.yml`, VALID);
    const { plugins, notices } = await loadPluginConfigs({
      root: dir,
      pluginsFile: `${dir}/host.yml`,
      trustRepoPlugins: true,
      env: noEnv,
    });
    assert.deepEqual(notices, []);
    assert.deepEqual(plugins.map((p) => p.plugin.name), [
      "recent-commits",
      "webhook",
      "repo-notes",
    ]);
    assert.deepEqual(plugins[2].origin, {
      kind: "external",
      file: `${dir}/.kaizen/plugins.yml`,
      command: [`${dir}/.kaizen/tools/notes.sh`],
    });
  });
});

Deno.test("load: a trusted repo file may not point a relative command outside the repo", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen`);
    await Deno.writeTextFile(
      `${dir}/.kaizen/plugins.yml`,
      REPO_FILE.replace("./tools/notes.sh", "../../evil"),
    );
    await assert.rejects(
      loadPluginConfigs({ root: dir, trustRepoPlugins: true, env: noEnv }),
      (err: unknown) => {
        assert.ok(err instanceof PluginConfigError);
        assert.match(
          err.message,
          /plugins\.yml:4:14: command '\.\.\/\.\.\/evil' resolves outside the repository/,
        );
        return true;
      },
    );
  });
});

Deno.test("load: a plugin declared in both files is an error", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/.kaizen`);
    await Deno.writeTextFile(`${dir}/.kaizen/plugins.yml`, REPO_FILE);
    await Deno.writeTextFile(`${dir}/host.yml`, REPO_FILE.replace("./tools/notes.sh", "/bin/true"));
    await assert.rejects(
      loadPluginConfigs({
        root: dir,
        pluginsFile: `${dir}/host.yml`,
        trustRepoPlugins: true,
        env: noEnv,
      }),
      /plugin 'repo-notes' is already declared in .*host\.yml/,
    );
  });
});

Deno.test("load: a repo plugins file that is a symlink out of the repo is refused", async () => {
  await withTemp(async (dir) => {
    await Deno.mkdir(`${dir}/repo/.kaizen`, { recursive: true });
    await Deno.writeTextFile(`${dir}/outside.yml`, REPO_FILE);
    await Deno.symlink(`${dir}/outside.yml`, `${dir}/repo/.kaizen/plugins.yml`);
    await assert.rejects(
      loadPluginConfigs({ root: `${dir}/repo`, trustRepoPlugins: true, env: noEnv }),
      /cannot read .*plugins\.yml: symlink resolves outside the repository/,
    );
  });
});
