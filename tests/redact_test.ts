import assert from "node:assert/strict";
import { type RedactionResult, redactSecrets, redactSecretsSync } from "../core/redact/mod.ts";
import { ALNUM, B32, fake } from "./_fake_secrets.ts";

// All fake secrets are assembled at run time (prefix + generated body) so that
// this file itself never contains anything that looks like a live credential.

const UPPER_NUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64 = ALNUM + "+/";

function b64url(json: string): string {
  return btoa(json).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

const S = {
  awsId: "AKIA" + fake(16, UPPER_NUM, 1),
  awsSecret: "Kq7" + fake(37, B64, 2),
  ghp: "ghp" + "_" + fake(36, ALNUM, 3),
  gho: "gho" + "_" + fake(36, ALNUM, 4),
  ghs: "ghs" + "_" + fake(36, ALNUM, 5),
  ghu: "ghu" + "_" + fake(36, ALNUM, 6),
  ghr: "ghr" + "_" + fake(36, ALNUM, 7),
  ghFine: "github" + "_pat_" + fake(22, ALNUM, 8) + "_" + fake(59, ALNUM, 9),
  glpat: "glpat" + "-" + fake(20, ALNUM, 10),
  slack: "xoxb" + "-" + "1234567890" + "-" + "9876543210123" + "-" + fake(24, ALNUM, 11),
  slackHook: "https://hooks.slack" + ".com/services/" + "T0" + fake(8, UPPER_NUM, 12) + "/B0" +
    fake(8, UPPER_NUM, 13) + "/" + fake(24, ALNUM, 14),
  stripe: "sk" + "_live_" + fake(24, ALNUM, 15),
  stripeRestricted: "rk" + "_live_" + fake(24, ALNUM, 16),
  google: "AI" + "za" + fake(35, ALNUM, 17),
  openai: "sk" + "-proj-" + fake(48, ALNUM, 18),
  anthropic: "sk" + "-ant-api03-" + fake(93, ALNUM, 19) + "AA",
  npm: "npm" + "_" + fake(36, ALNUM, 20),
  jwt: b64url('{"alg":"HS256","typ":"JWT"}') + "." +
    b64url('{"sub":"1234567890","name":"Jo","iat":1516239022}') + "." + fake(43, ALNUM, 21),
  urlPassword: "Pw" + fake(14, ALNUM, 22),
  generic: "Zx9" + fake(17, ALNUM, 23),
  bearer: fake(40, ALNUM, 24),
  sendgrid: "SG" + "." + fake(22, ALNUM, 25) + "." + fake(43, ALNUM, 26),
};

function keyBlock(kind: string, lines = 4): string {
  const body = Array.from({ length: lines }, (_, i) => fake(64, B64, 30 + i)).join("\n");
  return `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
}

function assertClean(result: RedactionResult, ...secrets: string[]): void {
  const json = JSON.stringify(result);
  for (const secret of secrets) {
    // Do not let a failing assertion print the secret either.
    assert.ok(!result.text.includes(secret), "secret left in result.text");
    assert.ok(!json.includes(secret), "secret left in serialized result");
  }
}

async function expectOne(input: string, secret: string, rule: string): Promise<RedactionResult> {
  const r = await redactSecrets(input);
  assertClean(r, secret);
  assert.equal(r.count, 1, `count for ${rule}: ${JSON.stringify(r.findings)}`);
  assert.equal(r.findings[0].rule, rule);
  assert.equal(r.text, input.replace(secret, `[REDACTED:${rule}]`));
  return r;
}

// ---------------------------------------------------------------------------
// One case per rule

Deno.test("aws-access-key-id", async () => {
  await expectOne(`AWS_ACCESS_KEY_ID=${S.awsId}\n`, S.awsId, "aws-access-key-id");
  await expectOne(
    `key ${S.awsId.replace("AKIA", "ASIA")} here`,
    S.awsId.replace("AKIA", "ASIA"),
    "aws-access-key-id",
  );
});

Deno.test("aws-secret-access-key (assignment wins over generic-secret)", async () => {
  await expectOne(`aws_secret_access_key = ${S.awsSecret}\n`, S.awsSecret, "aws-secret-access-key");
  await expectOne(`AWS_SECRET_ACCESS_KEY: "${S.awsSecret}"`, S.awsSecret, "aws-secret-access-key");
});

Deno.test("AWS key id and secret in prose", async () => {
  const input =
    `Deploy notes.\ncredentials: ${S.awsId} / secret ${S.awsSecret}\nthen run the job.\n`;
  const r = await redactSecrets(input);
  assertClean(r, S.awsId, S.awsSecret);
  assert.equal(
    r.text,
    "Deploy notes.\ncredentials: [REDACTED:aws-access-key-id] / secret [REDACTED:aws-secret-access-key]\nthen run the job.\n",
  );
  assert.deepEqual(r.findings, [
    { rule: "aws-access-key-id", line: 2, column: 14 },
    { rule: "aws-secret-access-key", line: 2, column: 44 },
  ]);
});

Deno.test("github-token: all prefixes and fine-grained", async () => {
  for (const t of [S.ghp, S.gho, S.ghs, S.ghu, S.ghr, S.ghFine]) {
    await expectOne(`remote uses ${t} for pushes`, t, "github-token");
  }
});

Deno.test("gitlab-token", async () => {
  await expectOne(`GITLAB ${S.glpat}\n`, S.glpat, "gitlab-token");
});

Deno.test("slack-token and slack-webhook-url", async () => {
  await expectOne(`bot: ${S.slack}\n`, S.slack, "slack-token");
  await expectOne(`post to ${S.slackHook} on failure`, S.slackHook, "slack-webhook-url");
});

Deno.test("stripe-key", async () => {
  await expectOne(`stripe ${S.stripe}`, S.stripe, "stripe-key");
  await expectOne(`stripe ${S.stripeRestricted}`, S.stripeRestricted, "stripe-key");
});

Deno.test("google-api-key", async () => {
  await expectOne(`maps key ${S.google}.`, S.google, "google-api-key");
});

Deno.test("openai-api-key and anthropic-api-key", async () => {
  await expectOne(`OPENAI ${S.openai}\n`, S.openai, "openai-api-key");
  await expectOne(`ANTHROPIC ${S.anthropic}\n`, S.anthropic, "anthropic-api-key");
});

Deno.test("npm-token", async () => {
  await expectOne(`//registry.npmjs.org/:_authToken ${S.npm}\n`, S.npm, "npm-token");
});

Deno.test("jwt", async () => {
  await expectOne(`cookie session ${S.jwt} expires`, S.jwt, "jwt");
});

Deno.test("private-key: whole block, several kinds, truncated block", async () => {
  for (const kind of ["RSA ", "OPENSSH ", "EC ", ""]) {
    const block = keyBlock(kind);
    const input = `before\n${block}\nafter\n`;
    const r = await redactSecrets(input);
    assert.equal(r.text, "before\n[REDACTED:private-key]\nafter\n");
    assert.equal(r.count, 1);
    assert.deepEqual(r.findings, [{ rule: "private-key", line: 2, column: 1 }]);
    for (const line of block.split("\n")) assertClean(r, line);
  }
  // No END line: everything up to the next blank line goes.
  const truncated = keyBlock("RSA ").split("\n").slice(0, 4).join("\n");
  const r = await redactSecrets(`x\n${truncated}\n\nnext paragraph\n`);
  assert.equal(r.text, "x\n[REDACTED:private-key]\n\nnext paragraph\n");
  for (const line of truncated.split("\n").slice(1)) assertClean(r, line);
});

Deno.test("url-password: only the password is redacted", async () => {
  const pw = S.urlPassword;
  for (
    const url of [
      `postgres://app:${pw}@db.internal:5432/app`,
      `https://deploy:${pw}@git.example.org/x.git`,
    ]
  ) {
    const r = await redactSecrets(`DATABASE_URL=${url}\n`);
    assertClean(r, pw);
    assert.equal(r.count, 1);
    assert.equal(r.findings[0].rule, "url-password");
    assert.equal(r.text, `DATABASE_URL=${url.replace(pw, "[REDACTED:url-password]")}\n`);
  }
});

Deno.test("generic-secret: keyword plus value forms", async () => {
  const v = S.generic;
  for (
    const line of [
      `password: "${v}"`,
      `DB_PASSWORD=${v}`,
      `client_secret = '${v}'`,
      `"apiKey": "${v}",`,
      `api_key: ${v}`,
      `access_key=${v}`,
      `export MY_TOKEN=${v}`,
      `passwd := "${v}"`,
    ]
  ) {
    await expectOne(line + "\n", v, "generic-secret");
  }
});

Deno.test("bearer-token", async () => {
  await expectOne(
    `curl -H "Authorization: Bearer ${S.bearer}" https://api.example.org`,
    S.bearer,
    "bearer-token",
  );
});

// ---------------------------------------------------------------------------
// False positives

const MEMORY_MD = `# memory.md — kaizen agent

## Context
- Repo: https://github.com/acme/widgets (default branch \`main\`), CI on GitHub Actions.
- Last run 2025-03-14T08:15:00Z, commit 3f9c2a7b1e4d5f60718293a4b5c6d7e8f9012345.
- Build id 6f1c8e2a-9b3d-4c5e-8f7a-0b1c2d3e4f5a; image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.

## Secrets handling (notes)
The secret to stable builds is pinning. Never commit a password; the token
lives in the CI settings. Rotate the API key every 90 days.

\`\`\`ts
const token = process.env.GITHUB_TOKEN;
const apiKey = Deno.env.get("OPENAI_API_KEY");
const password = config.database.password;
headers.Authorization = \`Bearer \${token}\`;
\`\`\`

\`\`\`yaml
env:
  NPM_TOKEN: \${{ secrets.NPM_TOKEN }}
  password: \${DB_PASSWORD}
  max_tokens: 4096
  token_budget: 120000
  tokenizer: gpt-tokenizer@3.4.0
  secret_name: widgets-prod-credentials
  password_file: /run/secrets/db_password
\`\`\`

| metric | value |
| --- | --- |
| tokens_in | 183422 |
| secret findings | 0 |

- TODO: ask whether the api_key: rotation job still runs (see ticket OPS-4411).
- password: required for the staging DB (ask #infra).
- Links: https://docs.example.org/auth#token-refresh, mailto:ops@example.org
- Version pin: token = v1.2.3-beta, secret=2024-05-01
- Example URL: postgres://user:password@localhost:5432/dev
- Pending: \`sk-learn\` vs \`scikit-learn\`; sk-this-is-not-a-real-openai-key-at-all
`;

Deno.test("no false positives on a realistic memory.md", async () => {
  const r = await redactSecrets(MEMORY_MD, { source: "memory.md" });
  assert.deepEqual(r.findings, []);
  assert.equal(r.count, 0);
  assert.equal(r.text, MEMORY_MD);
});

Deno.test("no false positives on placeholders", async () => {
  const lines = [
    "token: <token>",
    "password: ${DB_PASSWORD}",
    "password=changeme",
    "secret: xxxxxxxx",
    "token: your-token-here",
    'api_key: "{{ api_key }}"',
    'password: "********"',
    "AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY",
    "https://user:${PASS}@example.org/path",
    "client_secret: REPLACE_ME",
    "apikey = <your api key>",
    "token = ...",
    "Authorization: Bearer <access-token>",
    "secret: [REDACTED]",
  ];
  for (const line of lines) {
    const r = await redactSecrets(line + "\n");
    assert.equal(r.count, 0, `flagged placeholder line: ${line} -> ${JSON.stringify(r.findings)}`);
  }
});

// ---------------------------------------------------------------------------
// Counting, positions, merging, idempotence, determinism

const MIXED = [
  "# Bundle",
  `token: ${S.ghp}`,
  "",
  `  db: postgres://svc:${S.urlPassword}@db:5432/x  and ${S.npm}`,
  `é🙂 key ${S.google}`,
  "\r",
  keyBlock("RSA "),
  `last ${S.jwt}`,
].join("\n");
const MIXED_SECRETS = [S.ghp, S.urlPassword, S.npm, S.google, S.jwt];

Deno.test("counts, lines and 1-based columns refer to the original text", async () => {
  const r = await redactSecrets(MIXED);
  assertClean(r, ...MIXED_SECRETS);
  assert.equal(r.count, 6);
  assert.deepEqual(r.findings, [
    { rule: "github-token", line: 2, column: 8 },
    { rule: "url-password", line: 4, column: 22 },
    { rule: "npm-token", line: 4, column: 54 },
    { rule: "google-api-key", line: 5, column: 8 }, // the emoji counts as one column
    { rule: "private-key", line: 7, column: 1 },
    { rule: "jwt", line: 13, column: 6 },
  ]);
});

Deno.test("overlapping matches merge into one marker", async () => {
  // Matched by aws-secret-access-key, generic-secret and secretlint's AWS rule.
  const r = await redactSecrets(`aws_secret_access_key="${S.awsSecret}"`);
  assert.equal(r.count, 1);
  assert.equal(r.text, 'aws_secret_access_key="[REDACTED:aws-secret-access-key]"');
  // A token inside a generic assignment: one marker, named by the specific rule.
  const r2 = await redactSecrets(`github_token: ${S.ghp}`);
  assert.equal(r2.text, "github_token: [REDACTED:github-token]");
});

Deno.test("idempotent: redacting redacted text finds nothing new", async () => {
  const once = await redactSecrets(MIXED);
  const twice = await redactSecrets(once.text);
  assert.equal(twice.count, 0, JSON.stringify(twice.findings));
  assert.equal(twice.text, once.text);
});

Deno.test("deterministic", async () => {
  const a = await redactSecrets(MIXED + "\n" + MEMORY_MD);
  const b = await redactSecrets(MIXED + "\n" + MEMORY_MD);
  assert.deepEqual(a, b);
  assert.equal(JSON.stringify(a), JSON.stringify(b));
});

Deno.test("empty and secret-free input", async () => {
  assert.deepEqual(await redactSecrets(""), { text: "", count: 0, findings: [] });
  assert.deepEqual(await redactSecrets("hello\n"), { text: "hello\n", count: 0, findings: [] });
});

// ---------------------------------------------------------------------------
// Issue 7 regressions (detector side). Values are generated here, never literal.

Deno.test("issue 7 finding 1: key and value in separate markdown table cells", () => {
  const pw = "Q7v" + fake(13, ALNUM + "#;!", 40);
  for (
    const table of [
      `| key | value |\n| --- | --- |\n| DB_PASSWORD | ${pw} |\n`,
      `| db_password | \`${pw}\` |`,
      `|password|${pw}|`,
      `| **api_key** | ${pw} |`,
      // The same table as `--format json` prints it: one line, escaped breaks.
      JSON.stringify({ content: `| key | value |\n| --- | --- |\n| DB_PASSWORD | ${pw} |` }),
    ]
  ) {
    const r = redactSecretsSync(table);
    assertClean(r, pw);
    assert.equal(r.count, 1, table);
  }
});

Deno.test("issue 7 finding 2: a [REDACTED:…] marker in the input shields nothing", () => {
  const body = [1, 2, 3].map((i) => fake(64, B64, 50 + i));
  const key = "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + body.join("\n");
  for (
    const input of [
      `${key}\n[REDACTED:private-key] was the old one\n`,
      `${key}[REDACTED:private-key]`,
      `[REDACTED:github-token] ${S.ghp}`,
      `token: [REDACTED:generic-secret]${S.ghp}`,
      `[REDACTED:x] ${S.awsId}[REDACTED:y]`,
    ]
  ) {
    const r = redactSecretsSync(input);
    assertClean(r, ...body, S.ghp, S.awsId);
    assert.ok(r.count >= 1);
  }
  // Our own marker is not itself a secret: redacting output again is a no-op.
  const once = redactSecretsSync(`password: ${S.generic}\n| token | ${S.ghp} |`);
  assert.deepEqual(redactSecretsSync(once.text), { text: once.text, count: 0, findings: [] });
});

Deno.test("issue 7 finding 3: known shapes that used to slip through", () => {
  const pw = "Hk4" + fake(12, ALNUM + "#;", 60);
  const cases: Array<[string, string]> = [
    [`credentials: ${S.awsId} / secret ${S.awsSecret}`, S.awsSecret],
    [`${S.awsId}:${S.awsSecret}`, S.awsSecret],
    [`secret ${pw}`, pw],
    [`password: ${pw}`, pw],
    [`note _${S.openai}_ works`, S.openai],
    [`note _${S.anthropic}_ works`, S.anthropic],
    [`redis://:${pw.replace(/[#;]/g, "k")}@cache:6379`, pw.replace(/[#;]/g, "k")],
    [`DB_PASS=${pw}`, pw],
    [`pwd=${pw}`, pw],
    [`curl -u admin:${pw} https://ci.internal`, pw],
    [`Authorization: Basic ${btoa("ci:" + pw)}`, btoa("ci:" + pw)],
    [
      `AccountKey=${fake(86, B64, 61)}==;EndpointSuffix=core.windows.net`,
      fake(86, B64, 61),
    ],
    [
      `https://a.blob.core.windows.net/c?sv=2022&sig=${fake(43, ALNUM, 62)}%3D`,
      fake(43, ALNUM, 62),
    ],
    [`twine upload -p pypi-${"AgEIcHlwaS5vcmc" + fake(60, ALNUM, 63)} dist/*`, fake(60, ALNUM, 63)],
    [
      `TWILIO ${"S" + "K" + fake(32, "0123456789abcdef", 64)} ${fake(32, ALNUM, 65)}`,
      fake(32, ALNUM, 65),
    ],
    [`bot ${fake(10, "0123456789", 66)}:AA${fake(33, ALNUM, 67)}`, fake(33, ALNUM, 67)],
    [
      `${"AGE-SECRET-KEY-1"}${fake(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 68)}`,
      fake(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 68),
    ],
    [`{"auths": {"r.io": {"auth": "${btoa("u:" + pw)}"}}}`, btoa("u:" + pw)],
    [
      `-----BEGIN USER NKEY ${"SEED"}-----\nSU${fake(56, B32, 69)}\n------END USER NKEY SEED------`,
      fake(56, B32, 69),
    ],
    [`seed SU${fake(56, B32, 70)}`, fake(56, B32, 70)],
  ];
  for (const [input, secret] of cases) {
    const r = redactSecretsSync(input);
    assert.ok(
      !r.text.includes(secret),
      `not redacted: ${input.slice(0, 24)}… (${r.findings.map((f) => f.rule)})`,
    );
  }
});

Deno.test("issue 7 finding 4: resource names and x-filled placeholders are not secrets", () => {
  for (
    const line of [
      "existingSecret: billing-postgres-credentials",
      "secretName: api-gateway-tls",
      "secretKeyRef:\n  name: db-credentials\n  key: password",
      "| secret | billing-postgres-credentials |",
      "token: xxxxxxxxxxxxxxxxxxxxxxxx",
      "SECRET_KEY=xxxx-xxxx-xxxx-xxxx",
      "api_key: sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "password: {{ .Values.postgresql.auth.password }}",
      "your-api-key-here",
      "api_key = your-api-key-here",
    ]
  ) {
    const r = redactSecretsSync(line);
    assert.equal(r.count, 0, `flagged: ${line} -> ${JSON.stringify(r.findings)}`);
  }
});

Deno.test("values with # and ; are not cut short", () => {
  const pw = "Ab3#" + fake(6, ALNUM, 71) + ";" + fake(6, ALNUM, 72) + "#x9";
  const r = redactSecretsSync(`password: ${pw}\n`);
  assert.equal(r.text, "password: [REDACTED:generic-secret]\n");
});

Deno.test("redactSecrets and redactSecretsSync agree; bad input never throws", async () => {
  const input = MIXED + "\n" + MEMORY_MD;
  assert.deepEqual(await redactSecrets(input), redactSecretsSync(input));
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(redactSecretsSync(undefined as any), { text: "", count: 0, findings: [] });
  for (
    const odd of [
      "\u0000".repeat(100),
      "\uD800",
      "-----BEGIN PRIVATE KEY-----",
      "://:@",
      "=".repeat(1000),
    ]
  ) {
    redactSecretsSync(odd);
  }
});

Deno.test("keyword rule: names and values in XML, k8s env, JSON inside JSON, header-named columns", () => {
  const pw = "Rt5#" + fake(14, ALNUM + "!%;", 80);
  const plain = "Rt5k" + fake(14, ALNUM, 82);
  const phrase = "tidy-ocean-lamp-" + fake(6, "abcdefghijklmnopqrstuvwxyz", 81);
  const cases: Array<[string, string]> = [
    [`<password>${pw}</password>`, pw],
    [`env:\n  - name: DB_PASSWORD\n    value: "${pw}"`, pw],
    [`{"name": "API_TOKEN", "value": "${pw}"}`, pw],
    [JSON.stringify({ content: JSON.stringify({ db_password: pw }) }), pw],
    [`| service | user | password |\n| --- | --- | --- |\n| billing | app | ${pw} |`, pw],
    [`$env:API_KEY = "${pw}"`, pw],
    [`wget --http-password=${pw} https://files.internal/x`, pw],
    [`mysql -h db -u root -p${plain} shop`, plain],
    [`password: ${phrase}`, phrase],
  ];
  for (const [input, secret] of cases) {
    const r = redactSecretsSync(input);
    assert.ok(!r.text.includes(secret), `not redacted: ${input.slice(0, 30)}…`);
  }
});

Deno.test("keyword rule: code, resource names and generated names stay", () => {
  for (
    const line of [
      "idempotencyKey: bundleSha256,",
      "let counter: TokenCounter | undefined;",
      "auth: authKinds(ctx.env),",
      '(k === "NATS_TOKEN" ? token : undefined)',
      "secret: billing-postgres-credentials",
      "secretName: db-credentials-7f8h9k2m4t",
      "cache-key: node-modules-a1b2c3d4e5",
      "SecretId: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC12x",
      "| name | secret |\n| --- | --- |\n| db | billing-postgres-credentials |",
      "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db-credentials\n      key: password",
    ]
  ) {
    const r = redactSecretsSync(line);
    assert.equal(r.count, 0, `flagged: ${line} -> ${JSON.stringify(r.findings)}`);
  }
});

Deno.test("keyword floods: a secret inside a megabyte of repeated keywords is still found", () => {
  const pw = "Xy7#" + fake(16, ALNUM, 90);
  const floods: Array<[string, string, string]> = [
    ["password=".repeat(60_000), `password=${pw} `, "password=".repeat(60_000)],
    [
      "| password | token | secret ".repeat(20_000),
      `| password | ${pw} |`,
      " | token".repeat(30_000),
    ],
    ["token=abc ".repeat(50_000), `token=${pw}`, " token=abc".repeat(50_000)],
    ["key: value; ".repeat(40_000), `api_key: ${pw};`, " key: value;".repeat(40_000)],
  ];
  for (const [head, secret, tail] of floods) {
    for (const input of [head + secret + tail, secret + tail, head + secret]) {
      const r = redactSecretsSync(input);
      assert.ok(!r.text.includes(pw.slice(4)), `missed in a flood of ${head.slice(0, 12)}…`);
    }
  }
});

Deno.test("letters-only generated values after a password key are redacted; identifiers are not", async () => {
  // A random 24-char alphanumeric secret draws no digit about 1.5% of the time.
  let seed = 20261122;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let missed = 0;
  for (let i = 0; i < 500; i++) {
    const v = Array.from({ length: 24 }, () => letters[next() % 52]).join("");
    for (const line of [`db_password: ${v}`, `| DB_PASSWORD | ${v} |`, `TOKEN=${v}`]) {
      if ((await redactSecrets(line)).text.includes(v)) missed++;
    }
  }
  // Word-shaped draws (capitals that start runs of lower case) stay, as identifiers do.
  assert.ok(missed <= 6, `${missed} of 1500 letters-only values were kept`);
  for (
    const code of [
      "token = accessTokenFromEnvironment",
      "password: DatabasePasswordFromVault",
      "password = getPasswordFromVaultNow",
      "| password | RequiredForProduction |",
      "secret: existingSecretName",
    ]
  ) {
    assert.equal((await redactSecrets(code)).text, code);
  }
});
