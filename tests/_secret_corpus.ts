/**
 * Test helper (not a test): a corpus of secrets generated at random at test
 * time, and a corpus of benign look-alikes.
 *
 * No value in this file looks like a live credential: every provider prefix
 * is assembled from pieces (`"gh" + "p_"`) and every body comes from a
 * seeded PRNG, so a failing run can be replayed with `REDACT_SEED=<seed>`.
 *
 * A secret case is one shape rendered in one context (prose, a config line,
 * JSON, a markdown table row, a fenced code block). `secrets` lists the
 * random parts that must not survive redaction.
 *
 * @module
 */

export type Context = "prose" | "config" | "json" | "table" | "fence";
export const CONTEXTS: readonly Context[] = ["prose", "config", "json", "table", "fence"];

/** A small, fast, seedable PRNG (mulberry32). */
export class Rng {
  #state: number;
  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  str(n: number, alphabet: string): string {
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
  /** Random over `alphabet`, holding each of upper, lower and digit that `alphabet` has. */
  mixed(n: number, alphabet: string = ALNUM): string {
    for (;;) {
      const s = this.str(n, alphabet);
      // Only the classes the alphabet has can be required.
      const ok = [/[A-Z]/, /[a-z]/, /[0-9]/].every((c) => !c.test(alphabet) || c.test(s));
      if (ok) return s;
    }
  }
}

/** The seed for this run: `REDACT_SEED` if set, else random. */
export function runSeed(): number {
  const env = Deno.env.get("REDACT_SEED");
  if (env && /^\d+$/.test(env)) return Number(env) >>> 0;
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const DIGITS = "0123456789";
export const ALNUM = UPPER + LOWER + DIGITS;
export const HEX = "0123456789abcdef";
export const B32 = UPPER + "234567";
export const B64 = ALNUM + "+/";
export const B64URL = ALNUM + "-_";
/** Password characters: punctuation people paste, but nothing that ends a table cell. */
export const PUNCT = "#;!%@^*~+?&$";

function b64url(s: string): string {
  return btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** What a shape yields: the text to place and the parts that must disappear. */
export interface ShapeValue {
  value: string;
  secrets: string[];
}

export interface Shape {
  id: string;
  /** Variable or key name for config, JSON and table contexts. */
  name: string;
  make(r: Rng): ShapeValue;
  /**
   * True when only the name next to the value makes it a secret (a password
   * after `DB_PASSWORD=`): the bare value alone is not detectable, by design.
   */
  needsName?: boolean;
  /** Overrides of the default renderings (for shapes that need their keyword in prose, …). */
  render?: Partial<Record<Context, (v: string, name: string) => string>>;
}

export interface SecretCase {
  shape: string;
  context: Context;
  text: string;
  secrets: string[];
}

// Prefixes assembled from pieces so this file holds no secret-shaped literal.
const P = {
  akia: "AK" + "IA",
  ghp: "gh" + "p_",
  gho: "gh" + "o_",
  ghs: "gh" + "s_",
  ghPat: "github" + "_pat_",
  glpat: "gl" + "pat-",
  glrt: "gl" + "rt-",
  atbb: "AT" + "BB",
  atatt: "ATA" + "TT3",
  xoxb: "xo" + "xb-",
  xoxp: "xo" + "xp-",
  slackHook: "https://hooks." + "slack.com/services/",
  discordHook: "https://discord" + ".com/api/webhooks/",
  skLive: "sk" + "_live_",
  rkLive: "rk" + "_live_",
  whsec: "wh" + "sec_",
  sg: "S" + "G.",
  mailgun: "ke" + "y-",
  skProj: "sk" + "-proj-",
  sk: "s" + "k-",
  openaiMark: "T3Blbk" + "FJ",
  skAnt: "sk" + "-ant-api03-",
  hf: "h" + "f_",
  aiza: "AI" + "za",
  gocspx: "GOC" + "SPX-",
  npm: "np" + "m_",
  pypi: "py" + "pi-" + "AgEIcHlwaS5vcmc",
  age: "AGE-" + "SECRET-KEY-1",
  shpat: "shp" + "at_",
  hvs: "hv" + "s.",
  doppler: "dp" + ".pt.",
  dapi: "da" + "pi",
  hrku: "HR" + "KU-AA",
  dop: "do" + "p_v1_",
  linear: "lin" + "_api_",
  sentry: "snt" + "ryu_",
  glsa: "gl" + "sa_",
  gsk: "gs" + "k_",
  pmak: "PM" + "AK-",
  nrak: "NR" + "AK-",
  dckr: "dckr" + "_pat_",
  rubygems: "ruby" + "gems_",
  vercel: "vc" + "p_",
  cloudflare: "cf" + "ut_",
  tailscale: "ts" + "key-auth-",
  ghsInstall: "gh" + "s_",
  notion: "nt" + "n_",
  figma: "fi" + "gd_",
  ops: "op" + "s_",
  airtable: "pa" + "t",
  alibaba: "LT" + "AI",
  buildkite: "bk" + "ua_",
  circleci: "CCI" + "PAT_",
  cfOrigin: "v1" + ".0-",
  dynatrace: "dt0" + "c01.",
  flutterwave: "FLW" + "SECK-",
  fly: "Fly" + "V1 fm2_",
  jfrog: "AK" + "Cp",
  teams: "https://acme.webhook." + "office.com/webhookb2/",
  netlify: "nf" + "p_",
  nuget: "oy" + "2",
  pplx: "pp" + "lx-",
  r8: "r" + "8_",
  xai: "xa" + "i-",
  pulumi: "pu" + "l-",
  pscale: "pscale" + "_pw_",
  square: "sq0" + "atp-",
  supabase: "sb" + "p_",
  tfc: ".atlas" + "v1.",
  sntrys: "snt" + "rys_",
  begin: "-----BE" + "GIN ",
  end: "-----E" + "ND ",
  pk: "PRIVATE" + " KEY-----",
};

const AGE_ALPHABET = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";

function pem(r: Rng, kind: string, lines: number, end = true): ShapeValue {
  const body = Array.from({ length: lines }, () => r.str(64, B64));
  const head = `${P.begin}${kind}${P.pk}`;
  const tail = end ? [`${P.end}${kind}${P.pk}`] : [];
  return { value: [head, ...body, ...tail].join("\n"), secrets: body };
}

function jwt(r: Rng, header: object, claims: object): ShapeValue {
  const sig = r.str(43, B64URL);
  const payload = b64url(JSON.stringify(claims));
  return { value: `${b64url(JSON.stringify(header))}.${payload}.${sig}`, secrets: [payload, sig] };
}

function natsUserJwt(r: Rng): ShapeValue {
  return jwt(r, { typ: "JWT", alg: "ed25519-nkey" }, {
    jti: r.str(52, B32),
    iat: r.int(1_600_000_000, 1_800_000_000),
    iss: "A" + r.str(55, B32),
    name: "svc",
    sub: "U" + r.str(55, B32),
    nats: { pub: {}, sub: {}, subs: -1, data: -1, payload: -1, type: "user", version: 2 },
  });
}

function password(r: Rng, n = 14): string {
  for (;;) {
    const s = r.mixed(3) + r.str(n - 3, ALNUM + PUNCT);
    if (/[#;!%@^*~+?&$]/.test(s)) return s;
  }
}

/** A token: a fixed prefix (not itself secret) and a random body. */
function simple(id: string, name: string, prefix: string, body: (r: Rng) => string): Shape {
  return {
    id,
    name,
    make: (r) => {
      const b = body(r);
      return { value: prefix + b, secrets: [b] };
    },
  };
}

/** A prose rendering that names the secret with the shape's keyword. */
const keywordProse = (lead: string) => (v: string) =>
  `Note from the last run: the ${lead} ${v} worked, rotate it after the release.`;

/** Multi-line values: tables and JSON hold them with `\n` escapes. */
const blockRender: Shape["render"] = {
  prose: (v) => `I pasted the key here by mistake:\n\n${v}\n\nDelete it after the migration.`,
  config: (v, name) => `${name.toLowerCase()}: |\n  ${v.split("\n").join("\n  ")}`,
  json: (v, name) => `{"${name.toLowerCase()}": ${JSON.stringify(v)}, "rotated": false}`,
  table: (v, name) => `| ${name} | ${JSON.stringify(v).slice(1, -1)} |`,
};

export const SHAPES: readonly Shape[] = [
  // --- Cloud
  simple("aws-access-key-id", "AWS_ACCESS_KEY_ID", P.akia, (r) => r.str(16, B32)),
  {
    id: "aws-secret-access-key",
    needsName: true,
    name: "AWS_SECRET_ACCESS_KEY",
    make: (r) => {
      const v = r.mixed(40, B64);
      return { value: v, secrets: [v] };
    },
    render: { prose: keywordProse("AWS secret") },
  },
  {
    id: "aws-key-pair",
    name: "AWS_CREDENTIALS",
    make: (r) => {
      const id = P.akia + r.str(16, B32);
      const secret = r.mixed(40, B64);
      return { value: `${id}:${secret}`, secrets: [id, secret] };
    },
    render: {
      prose: (v) => {
        const [id, secret] = v.split(":");
        return `credentials for the deploy user: ${id} / secret ${secret} (from the console).`;
      },
    },
  },
  simple("google-api-key", "GOOGLE_API_KEY", P.aiza, (r) => r.str(35, B64URL)),
  simple(
    "google-oauth-client-secret",
    "GOOGLE_CLIENT_SECRET",
    P.gocspx,
    (r) => r.mixed(28, B64URL),
  ),
  {
    id: "gcp-service-account",
    name: "GOOGLE_APPLICATION_CREDENTIALS_JSON",
    make: (r) => {
      const key = pem(r, "", 6);
      const json = JSON.stringify(
        {
          type: "service_account",
          project_id: "acme-prod",
          private_key_id: r.str(40, HEX),
          private_key: key.value + "\n",
          client_email: "deploy@acme-prod.iam.gserviceaccount.com",
        },
        null,
        2,
      );
      return { value: json, secrets: key.secrets };
    },
    render: {
      prose: (v) => `The service account file:\n${v}\nis also in the vault.`,
      config: (v) => v,
      json: (v) => v,
      table: (v) => `| sa.json | ${JSON.stringify(JSON.parse(v))} |`,
    },
  },
  {
    id: "azure-storage-connection-string",
    name: "AZURE_STORAGE_CONNECTION_STRING",
    make: (r) => {
      const key = r.mixed(86, B64) + "==";
      return {
        value:
          `DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${key};EndpointSuffix=core.windows.net`,
        secrets: [key.slice(0, 86)],
      };
    },
  },
  {
    id: "azure-sas-url",
    name: "AZURE_BLOB_SAS_URL",
    make: (r) => {
      const sig = encodeURIComponent(r.mixed(43, B64) + "=");
      return {
        value:
          `https://acmeprod.blob.core.windows.net/backups?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2027-01-01T00:00:00Z&sig=${sig}`,
        secrets: [sig],
      };
    },
  },
  simple("digitalocean-token", "DIGITALOCEAN_TOKEN", P.dop, (r) => r.str(64, HEX)),
  simple("heroku-api-key", "HEROKU_API_KEY", P.hrku, (r) => r.mixed(58, B64URL)),
  simple("databricks-token", "DATABRICKS_TOKEN", P.dapi, (r) => r.str(32, HEX)),
  simple("doppler-token", "DOPPLER_TOKEN", P.doppler, (r) => r.mixed(43)),
  simple("vault-token", "VAULT_TOKEN", P.hvs, (r) => r.mixed(90, B64URL)),
  // --- VCS and CI
  simple("github-pat", "GITHUB_TOKEN", P.ghp, (r) => r.mixed(36)),
  simple("github-oauth", "GH_OAUTH_TOKEN", P.gho, (r) => r.mixed(36)),
  simple("github-app-token", "GH_APP_TOKEN", P.ghs, (r) => r.mixed(36)),
  simple(
    "github-fine-grained",
    "GH_PAT",
    P.ghPat,
    (r) => r.mixed(22) + "_" + r.mixed(59),
  ),
  simple("gitlab-pat", "GITLAB_TOKEN", P.glpat, (r) => r.mixed(20, B64URL)),
  simple("gitlab-runner-token", "RUNNER_TOKEN", P.glrt, (r) => r.mixed(20, B64URL)),
  simple("bitbucket-app-password", "BITBUCKET_APP_PASSWORD", P.atbb, (r) => r.mixed(32)),
  simple("atlassian-api-token", "JIRA_API_TOKEN", P.atatt, (r) => r.mixed(180, B64URL + "=")),
  // --- Chat
  simple(
    "slack-bot-token",
    "SLACK_BOT_TOKEN",
    P.xoxb,
    (r) => r.str(12, DIGITS) + "-" + r.str(13, DIGITS) + "-" + r.mixed(24),
  ),
  simple(
    "slack-user-token",
    "SLACK_USER_TOKEN",
    P.xoxp,
    (r) =>
      r.str(12, DIGITS) + "-" + r.str(12, DIGITS) + "-" + r.str(13, DIGITS) + "-" +
      r.str(32, HEX),
  ),
  simple(
    "slack-webhook",
    "SLACK_WEBHOOK_URL",
    P.slackHook,
    (r) => "T" + r.str(10, B32) + "/B" + r.str(10, B32) + "/" + r.mixed(24),
  ),
  simple(
    "discord-bot-token",
    "DISCORD_BOT_TOKEN",
    "",
    (r) => "M" + r.mixed(23) + "." + r.mixed(6, B64URL) + "." + r.mixed(38, B64URL),
  ),
  {
    id: "discord-webhook",
    name: "DISCORD_WEBHOOK",
    make: (r) => {
      const token = r.mixed(68, B64URL);
      return { value: P.discordHook + r.str(18, DIGITS) + "/" + token, secrets: [token] };
    },
  },
  simple(
    "telegram-bot-token",
    "TELEGRAM_BOT_TOKEN",
    "",
    (r) => r.str(10, DIGITS) + ":" + "AA" + r.mixed(33, B64URL),
  ),
  // --- Payments and messaging
  simple("stripe-secret-key", "STRIPE_SECRET_KEY", P.skLive, (r) => r.mixed(24)),
  simple("stripe-restricted-key", "STRIPE_RESTRICTED_KEY", P.rkLive, (r) => r.mixed(24)),
  simple("stripe-webhook-secret", "STRIPE_WEBHOOK_SECRET", P.whsec, (r) => r.mixed(32)),
  {
    id: "twilio-key-and-secret",
    name: "TWILIO",
    make: (r) => {
      const sid = "S" + "K" + r.str(32, HEX);
      const secret = r.mixed(32);
      return { value: `${sid}:${secret}`, secrets: [sid, secret] };
    },
    render: {
      prose: (v) => {
        const [sid, secret] = v.split(":");
        return `Twilio API key ${sid} with secret ${secret} sends the SMS alerts.`;
      },
      config: (v) => {
        const [sid, secret] = v.split(":");
        return `TWILIO_API_KEY=${sid}\nTWILIO_API_SECRET=${secret}`;
      },
    },
  },
  simple(
    "sendgrid-api-key",
    "SENDGRID_API_KEY",
    P.sg,
    (r) => r.mixed(22, B64URL) + "." + r.mixed(43, B64URL),
  ),
  simple("mailgun-api-key", "MAILGUN_API_KEY", P.mailgun, (r) => r.str(32, HEX)),
  simple(
    "postman-api-key",
    "POSTMAN_API_KEY",
    P.pmak,
    (r) => r.str(24, HEX) + "-" + r.str(34, HEX),
  ),
  simple("new-relic-key", "NEW_RELIC_API_KEY", P.nrak, (r) => r.str(27, UPPER + DIGITS)),
  // --- AI providers
  {
    id: "openai-project-key",
    name: "OPENAI_API_KEY",
    make: (r) => {
      const v = P.skProj + r.mixed(94, B64URL);
      return { value: v, secrets: [v.slice(8)] };
    },
    render: { prose: (v) => `Tried _${v}_ for the evals, it has quota left.` },
  },
  simple("openai-legacy-key", "OPENAI_KEY", P.sk, (r) => r.mixed(20) + P.openaiMark + r.mixed(20)),
  {
    id: "anthropic-api-key",
    name: "ANTHROPIC_API_KEY",
    make: (r) => {
      const v = P.skAnt + r.mixed(93, B64URL) + "AA";
      return { value: v, secrets: [v.slice(12)] };
    },
    render: { prose: (v) => `The coach used *${v}* for the summary run.` },
  },
  simple("huggingface-token", "HF_TOKEN", P.hf, (r) => r.mixed(34, UPPER + LOWER)),
  simple("groq-api-key", "GROQ_API_KEY", P.gsk, (r) => r.mixed(52)),
  // --- Package registries and containers
  simple("npm-token", "NPM_TOKEN", P.npm, (r) => r.mixed(36)),
  simple("pypi-token", "PYPI_TOKEN", P.pypi, (r) => r.mixed(70, B64URL)),
  {
    id: "twine-upload",
    name: "TWINE_PASSWORD",
    make: (r) => {
      const t = P.pypi + r.mixed(70, B64URL);
      return { value: t, secrets: [t.slice(20)] };
    },
    render: {
      prose: (v) => `Released with twine upload -u __token__ -p ${v} dist/* yesterday.`,
      fence: (v) => "```sh\ntwine upload -u __token__ -p " + v + " dist/*\n```",
    },
  },
  simple("dockerhub-token", "DOCKERHUB_TOKEN", P.dckr, (r) => r.mixed(27, B64URL)),
  simple("rubygems-api-key", "GEM_HOST_API_KEY", P.rubygems, (r) => r.str(48, HEX)),
  {
    id: "docker-config-auth",
    name: "auths",
    make: (r) => {
      const auth = btoa("deploy:" + password(r, 16));
      return {
        value: `{"auths": {"registry.acme.io": {"auth": "${auth}"}}}`,
        secrets: [auth],
      };
    },
    render: {
      prose: (v) => `My ~/.docker/config.json is ${v} on the runner.`,
      config: (v) => v,
      json: (v) => v,
      table: (v) => `| docker config | ${v} |`,
      fence: (v) => "```json\n" + v + "\n```",
    },
  },
  // --- Databases, brokers, HTTP auth
  ...[
    ["postgres-url", "DATABASE_URL", "postgres://app:", "@db.internal:5432/app"],
    ["mysql-url", "MYSQL_URL", "mysql://root:", "@10.0.0.5:3306/shop"],
    ["redis-url-no-user", "REDIS_URL", "redis://:", "@cache.internal:6379/0"],
    ["amqp-url", "AMQP_URL", "amqps://worker:", "@mq.internal:5671/prod"],
    ["mongodb-srv-url", "MONGO_URI", "mongodb+srv://svc:", "@cluster0.abcde.mongodb.net/db"],
    ["nats-url", "NATS_URL", "nats://publisher:", "@nats.internal:4222"],
  ].map(([id, name, head, tail]): Shape => ({
    id,
    name,
    make: (r) => {
      const pw = password(r);
      return { value: head + pw + tail, secrets: [pw] };
    },
  })),
  {
    id: "curl-user-password",
    name: "CURL",
    make: (r) => {
      const pw = password(r).replace(/[&$!]/g, "k");
      return { value: `curl -u admin:${pw} https://jenkins.internal/api/json`, secrets: [pw] };
    },
    render: { config: (v) => `healthcheck: ${v}`, json: (v) => `{"cmd": ${JSON.stringify(v)}}` },
  },
  {
    id: "basic-auth-header",
    name: "Authorization",
    make: (r) => {
      const b = btoa("ci-bot:" + password(r, 18));
      return { value: `Authorization: Basic ${b}`, secrets: [b] };
    },
    render: {
      config: (v) => `headers:\n  ${v}`,
      json: (v) => `{"headers": {"Authorization": ${JSON.stringify(v.slice(15))}}}`,
      table: (v) => `| Authorization | ${v.slice(15)} |`,
    },
  },
  {
    id: "bearer-header",
    name: "Authorization",
    make: (r) => {
      const t = r.mixed(40, B64URL);
      return { value: `Authorization: Bearer ${t}`, secrets: [t] };
    },
    render: {
      config: (v) => `curl -H "${v}" https://api.internal/v1`,
      json: (v) => `{"headers": {"Authorization": ${JSON.stringify(v.slice(15))}}}`,
      table: (v) => `| Authorization | ${v.slice(15)} |`,
    },
  },
  {
    id: "mysql-cli-password",
    name: "MYSQL_CMD",
    make: (r) => {
      const pw = password(r).replace(/[&$!'"]/g, "k");
      return { value: `mysql -h db.internal -u root --password=${pw} shop`, secrets: [pw] };
    },
    render: { json: (v) => `{"cmd": ${JSON.stringify(v)}}` },
  },
  {
    id: "sshpass-password",
    name: "SSH_CMD",
    make: (r) => {
      const pw = password(r).replace(/[&$!'"-]/g, "k");
      return { value: `sshpass -p ${pw} ssh deploy@10.0.0.7`, secrets: [pw] };
    },
    render: { json: (v) => `{"cmd": ${JSON.stringify(v)}}` },
  },
  {
    id: "mysql-cli-glued-password",
    name: "MYSQL_DUMP",
    make: (r) => {
      const pw = password(r).replace(/[&$!'"-]/g, "k");
      return { value: `mysqldump -h db.internal -u root -p${pw} shop`, secrets: [pw] };
    },
    render: { json: (v) => `{"cmd": ${JSON.stringify(v)}}` },
  },
  // --- Keys and signed tokens
  simple("age-secret-key", "AGE_KEY", P.age, (r) => r.str(58, AGE_ALPHABET)),
  {
    id: "pem-rsa-private-key",
    name: "TLS_KEY",
    make: (r) => pem(r, "RSA ", 8),
    render: blockRender,
  },
  { id: "pem-ec-private-key", name: "EC_KEY", make: (r) => pem(r, "EC ", 3), render: blockRender },
  { id: "pkcs8-private-key", name: "SIGNING_KEY", make: (r) => pem(r, "", 5), render: blockRender },
  {
    id: "openssh-private-key-truncated",
    name: "DEPLOY_KEY",
    make: (r) => {
      const k = pem(r, "OPENSSH ", 4, false);
      // Finding 2: a quoted marker right after the cut-off key.
      return { value: k.value + "\n[REDACTED:private-key] was the old one", secrets: k.secrets };
    },
    render: blockRender,
  },
  {
    id: "nats-creds-file",
    name: "NATS_CREDS",
    make: (r) => {
      const j = natsUserJwt(r);
      const seed = "S" + "U" + r.str(56, B32);
      const value = [
        "-----BE" + "GIN NATS USER JWT-----",
        j.value,
        "------E" + "ND NATS USER JWT------",
        "",
        "************************* IMPORTANT *************************",
        "NKEY Seed printed below can be used to sign and prove identity.",
        "NKEYs are sensitive and should be treated as secrets.",
        "",
        "-----BE" + "GIN USER NKEY SEED-----",
        seed,
        "------E" + "ND USER NKEY SEED------",
        "",
        "*************************************************************",
      ].join("\n");
      return { value, secrets: [...j.secrets, seed] };
    },
    render: blockRender,
  },
  {
    id: "putty-private-key",
    name: "PPK",
    make: (r) => {
      const lines = Array.from({ length: 4 }, () => r.str(64, B64));
      const value = [
        "PuTTY-User-Key-File-3: ssh-rsa",
        "Encryption: none",
        "Comment: deploy",
        "Public-Lines: 1",
        "AAAAB3NzaC1yc2EAAAADAQABAAAAgQ" + r.str(40, B64),
        "Private-Lines: 4",
        ...lines,
        "Private-MAC: " + r.str(64, HEX),
      ].join("\n");
      return { value, secrets: lines };
    },
    render: { ...blockRender, config: (v) => v },
  },
  simple("nats-user-seed", "NKEY_SEED", "", (r) => "S" + "U" + r.str(56, B32)),
  simple("nats-account-seed", "ACCOUNT_SEED", "", (r) => "S" + "A" + r.str(56, B32)),
  simple("nats-operator-seed", "OPERATOR_SEED", "", (r) => "S" + "O" + r.str(56, B32)),
  {
    id: "nats-user-jwt",
    name: "NATS_JWT",
    make: natsUserJwt,
  },
  {
    id: "jwt",
    name: "SESSION_JWT",
    make: (r) =>
      jwt(r, { alg: "HS256", typ: "JWT" }, {
        sub: r.str(10, DIGITS),
        name: "Jo",
        iat: r.int(1_600_000_000, 1_800_000_000),
      }),
  },
  // --- Developer services
  simple("shopify-token", "SHOPIFY_ACCESS_TOKEN", P.shpat, (r) => r.str(32, HEX)),
  simple("linear-api-key", "LINEAR_API_KEY", P.linear, (r) => r.mixed(40)),
  simple("sentry-user-token", "SENTRY_AUTH_TOKEN", P.sentry, (r) => r.str(64, HEX)),
  simple(
    "grafana-service-token",
    "GRAFANA_TOKEN",
    P.glsa,
    (r) => r.mixed(32) + "_" + r.str(8, HEX),
  ),
  simple("vercel-token", "VERCEL_TOKEN", P.vercel, (r) => r.mixed(40)),
  simple(
    "cloudflare-token",
    "CLOUDFLARE_API_TOKEN",
    P.cloudflare,
    (r) => r.mixed(40) + r.str(8, HEX),
  ),
  simple("tailscale-auth-key", "TS_AUTHKEY", P.tailscale, (r) => r.mixed(12) + "-" + r.mixed(30)),
  simple("notion-token", "NOTION_TOKEN", P.notion, (r) => r.str(11, DIGITS) + r.mixed(35)),
  simple("figma-token", "FIGMA_TOKEN", P.figma, (r) => r.mixed(40, B64URL)),
  {
    id: "onepassword-service-account-token",
    name: "OP_SERVICE_ACCOUNT_TOKEN",
    make: (r) => {
      const body = btoa(
        JSON.stringify({
          signInAddress: "acme.1password.com",
          secretKey: r.mixed(40),
          deviceUuid: r.mixed(26),
        }),
      );
      return { value: P.ops + body, secrets: [body.slice(8)] };
    },
  },
  {
    id: "github-app-installation-token",
    name: "GH_INSTALLATION_TOKEN",
    make: (r) => {
      const body = r.str(8, DIGITS) + "_" +
        jwt(r, { alg: "RS256" }, { iss: r.str(6, DIGITS) }).value;
      return { value: P.ghsInstall + body, secrets: [body.slice(9)] };
    },
  },
  {
    id: "npmrc-auth-token",
    name: "npmrc",
    make: (r) => {
      const t = r.mixed(36, B64URL);
      return { value: `//npm.pkg.example.com/:_authToken=${t}`, secrets: [t] };
    },
    render: { json: (v) => `{"npmrc": ${JSON.stringify(v)}}`, table: (v) => `| .npmrc | ${v} |` },
  },
  {
    id: "github-x-oauth-basic-url",
    name: "GIT_REMOTE",
    make: (r) => {
      const t = r.mixed(40);
      return { value: `https://${t}:x-oauth-basic@github.com/acme/widgets.git`, secrets: [t] };
    },
  },
  simple("airtable-token", "AIRTABLE_TOKEN", P.airtable, (r) => r.mixed(14) + "." + r.str(64, HEX)),
  simple("alibaba-access-key", "ALIBABA_ACCESS_KEY_ID", P.alibaba, (r) => r.mixed(20)),
  simple(
    "azure-ad-client-secret",
    "AZURE_CLIENT_SECRET",
    "",
    (r) => r.mixed(3) + r.str(1, DIGITS) + "Q~" + r.mixed(34, ALNUM + "_~.-"),
  ),
  simple("buildkite-token", "BUILDKITE_TOKEN", P.buildkite, (r) => r.str(40, HEX)),
  simple("circleci-token", "CIRCLE_TOKEN", P.circleci, (r) => r.mixed(40)),
  simple(
    "cloudflare-origin-ca-key",
    "CF_ORIGIN_CA_KEY",
    P.cfOrigin,
    (r) => r.str(24, HEX) + "-" + r.str(146, HEX),
  ),
  simple(
    "dynatrace-token",
    "DT_API_TOKEN",
    P.dynatrace,
    (r) => r.str(24, UPPER + DIGITS) + "." + r.str(64, UPPER + DIGITS),
  ),
  simple("flutterwave-key", "FLW_SECRET_KEY", P.flutterwave, (r) => r.str(32, HEX) + "-X"),
  simple("fly-token", "FLY_API_TOKEN", P.fly, (r) => r.mixed(120, B64)),
  simple("jfrog-api-key", "ARTIFACTORY_API_KEY", P.jfrog, (r) => r.mixed(69)),
  simple(
    "mailchimp-api-key",
    "MAILCHIMP_API_KEY",
    "",
    (r) => r.str(32, HEX) + "-us" + r.int(1, 20),
  ),
  {
    id: "teams-webhook",
    name: "TEAMS_WEBHOOK",
    make: (r) => {
      const parts = [
        r.mixed(36, ALNUM + "-"),
        r.mixed(36, ALNUM + "-"),
        r.str(32, HEX),
        r.mixed(36),
      ];
      const value = P.teams + parts[0] + "@" + parts[1] + "/IncomingWebhook/" + parts[2] + "/" +
        parts[3];
      return { value, secrets: parts };
    },
  },
  simple("netlify-token", "NETLIFY_AUTH_TOKEN", P.netlify, (r) => r.mixed(40)),
  simple("nuget-api-key", "NUGET_API_KEY", P.nuget, (r) => r.str(43, LOWER + DIGITS)),
  simple("perplexity-api-key", "PPLX_API_KEY", P.pplx, (r) => r.mixed(48)),
  simple("replicate-api-token", "REPLICATE_API_TOKEN", P.r8, (r) => r.mixed(37)),
  simple("xai-api-key", "XAI_API_KEY", P.xai, (r) => r.mixed(80)),
  simple("pulumi-token", "PULUMI_ACCESS_TOKEN", P.pulumi, (r) => r.str(40, HEX)),
  simple("planetscale-password", "PLANETSCALE_PASSWORD", P.pscale, (r) => r.mixed(43)),
  simple("square-token", "SQUARE_ACCESS_TOKEN", P.square, (r) => r.mixed(22, B64URL)),
  simple("supabase-token", "SUPABASE_ACCESS_TOKEN", P.supabase, (r) => r.str(40, HEX)),
  {
    id: "terraform-cloud-token",
    name: "TFE_TOKEN",
    make: (r) => {
      const a = r.str(14, LOWER + DIGITS);
      const b = r.str(67, LOWER + DIGITS);
      return { value: a + P.tfc + b, secrets: [a, b] };
    },
  },
  simple("sentry-org-token", "SENTRY_ORG_TOKEN", P.sntrys, (r) => "eyJ" + r.mixed(100, B64URL)),
  // --- Keyword + value
  {
    id: "password-keyword",
    needsName: true,
    name: "DB_PASSWORD",
    make: (r) => {
      const v = password(r, 16);
      return { value: v, secrets: [v] };
    },
    render: { prose: (v) => `- **Staging DB password:** ${v} (ask ops before rotating).` },
  },
  {
    id: "db-pass-keyword",
    needsName: true,
    name: "DB_PASS",
    make: (r) => {
      const v = password(r, 14);
      return { value: v, secrets: [v] };
    },
    render: { prose: keywordProse("DB_PASS is") },
  },
  {
    id: "pwd-keyword",
    needsName: true,
    name: "pwd",
    make: (r) => {
      const v = password(r, 12);
      return { value: v, secrets: [v] };
    },
    render: { prose: (v) => `Server=db;Database=app;User Id=sa;pwd=${v} is the connection.` },
  },
  {
    id: "secret-spaced",
    needsName: true,
    name: "APP_SECRET",
    make: (r) => {
      const v = password(r, 20);
      return { value: v, secrets: [v] };
    },
    render: { prose: (v) => `we agreed on the shared secret ${v} for the webhook` },
  },
  {
    id: "api-key-keyword",
    needsName: true,
    name: "api_key",
    make: (r) => {
      const v = r.mixed(32);
      return { value: v, secrets: [v] };
    },
    render: { prose: keywordProse("API key") },
  },
  {
    id: "client-secret-keyword",
    needsName: true,
    name: "client_secret",
    make: (r) => {
      const v = r.mixed(34, ALNUM + "~._-");
      return { value: v, secrets: [v] };
    },
    render: { prose: keywordProse("client secret") },
  },
  {
    id: "access-token-keyword",
    needsName: true,
    name: "accessToken",
    make: (r) => {
      const v = r.mixed(48, B64URL);
      return { value: v, secrets: [v] };
    },
    render: { prose: keywordProse("access token") },
  },
  {
    id: "encryption-key-base64",
    name: "ENCRYPTION_KEY",
    needsName: true,
    make: (r) => {
      // Base64 may start with `/` or `+`: such a value is not a path.
      const v = r.pick(["/", "+", ""]) + r.mixed(43, B64) + "=";
      return { value: v, secrets: [v.slice(0, 40)] };
    },
    render: { prose: keywordProse("encryption key is") },
  },
  {
    id: "credentials-keyword",
    needsName: true,
    name: "credentials",
    make: (r) => {
      const v = password(r, 24);
      return { value: v, secrets: [v] };
    },
    render: { prose: (v) => `credentials: ${v}` },
  },
];

const FENCE_LANG: Record<string, string> = { json: "json" };

/** Renders `value` of `shape` in `context`. */
export function render(shape: Shape, context: Context, value: string): string {
  const custom = shape.render?.[context];
  if (custom) return custom(value, shape.name);
  const name = shape.name;
  switch (context) {
    case "prose":
      return `While debugging I used ${value} to call the API; rotate it afterwards.`;
    case "config":
      return `${name}=${value}`;
    case "json":
      return `{"service": "api", ${JSON.stringify(name.toLowerCase())}: ${
        JSON.stringify(value)
      }, "retries": 3}`;
    case "table":
      return `| key | value |\n| --- | --- |\n| ${name} | ${value} |`;
    case "fence":
      return "```" + (FENCE_LANG[name] ?? "bash") + "\nexport " + name + '="' + value +
        '"\n```';
  }
}

/** Every shape in every context, with fresh random values. */
export function secretCases(r: Rng): SecretCase[] {
  const out: SecretCase[] = [];
  for (const shape of SHAPES) {
    for (const context of CONTEXTS) {
      const { value, secrets } = shape.make(r);
      out.push({ shape: shape.id, context, text: render(shape, context, value), secrets });
    }
  }
  return out;
}

/** One random case (for property tests). */
export function randomCase(r: Rng): SecretCase {
  const shape = r.pick(SHAPES);
  const context = r.pick(CONTEXTS);
  const { value, secrets } = shape.make(r);
  return { shape: shape.id, context, text: render(shape, context, value), secrets };
}

/**
 * The first window of more than four chars of any secret that is still in
 * `output`, or `null`. Returns the place, never the secret, so an assertion
 * message cannot print it. A window that also occurs in `input` outside the
 * secrets (surrounding text passes through unchanged) is a coincidence, not
 * a leak: a 5-char window of a hex token can match a commit hash nearby.
 * Our own markers are ignored the same way.
 */
export function leak(
  output: string,
  secrets: readonly string[],
  window = 5,
  input = "",
): string | null {
  let rest = input;
  for (const s of secrets) rest = rest.split(s).join("\u0000");
  // Our markers' rule ids are words too (`huggingface-token` holds `face-`).
  output = output.replace(/\[REDACTED:[a-z0-9-]{1,64}\]/g, "\u0000");
  for (const [i, s] of secrets.entries()) {
    if (s.length <= window) {
      if (output.includes(s)) return `secret #${i} (whole)`;
      continue;
    }
    for (let at = 0; at + window <= s.length; at++) {
      const piece = s.slice(at, at + window);
      if (output.includes(piece) && !rest.includes(piece)) {
        return `secret #${i} chars ${at}..${at + window}`;
      }
    }
  }
  return null;
}

/**
 * `leak` for many secrets against one large output: every `window`-char
 * substring of the output goes in a set once, so each check is a lookup
 * instead of a scan of the output.
 */
export function leakFinder(
  output: string,
  window = 12,
): (secrets: readonly string[]) => string | null {
  const seen = new Set<string>();
  for (let at = 0; at + window <= output.length; at++) seen.add(output.slice(at, at + window));
  return (secrets) => {
    for (const [i, s] of secrets.entries()) {
      if (s.length < window) {
        if (output.includes(s)) return `secret #${i} (whole)`;
        continue;
      }
      for (let at = 0; at + window <= s.length; at++) {
        if (seen.has(s.slice(at, at + window))) return `secret #${i} chars ${at}..${at + window}`;
      }
    }
    return null;
  };
}

// ---------------------------------------------------------------------------
// Benign look-alikes

export interface BenignCase {
  id: string;
  text: string;
}

/** At least 40 texts that look like secrets but are not. */
export function benignCases(r: Rng): BenignCase[] {
  const sha = () => r.str(40, HEX);
  const uuid = () =>
    `${r.str(8, HEX)}-${r.str(4, HEX)}-4${r.str(3, HEX)}-a${r.str(3, HEX)}-${r.str(12, HEX)}`;
  const b64 = (n: number) => r.str(n, B64);
  const cases: Array<[string, string]> = [
    ["git-sha-prose", `Fixed in ${sha()} on main, see the PR.`],
    ["git-sha-key", `commit: ${sha()}`],
    ["git-short-sha", `last good build ${sha().slice(0, 7)}, bad ${sha().slice(0, 12)}`],
    ["git-range", `git log ${sha().slice(0, 10)}..${sha().slice(0, 10)}`],
    ["uuid-prose", `Run ${uuid()} failed twice.`],
    ["uuid-key", `request_id: ${uuid()}`],
    ["uuid-json", `{"trace_id": "${uuid()}", "span": "${r.str(16, HEX)}"}`],
    ["sha256-hex", `checksum: ${r.str(64, HEX)}`],
    ["sha512-hex", `sha512sum ${r.str(128, HEX)}  kaizen.tar.gz`],
    ["sha1-key", `sha1: ${sha()}`],
    ["docker-digest", `image: ghcr.io/acme/api@sha256:${r.str(64, HEX)}`],
    ["docker-digest-table", `| api | sha256:${r.str(64, HEX)} |`],
    ["data-uri-png", `![logo](data:image/png;base64,iVBORw0KGgo${b64(400)}==)`],
    ["data-uri-svg", `<img src="data:image/svg+xml;base64,PHN2Zy${b64(200)}">`],
    ["ssh-ed25519-pub", `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${b64(43)} deploy@ci`],
    ["ssh-pub-keyed", `public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${b64(43)} ci@runner`],
    ["gpg-key-id", `gpg_key: 0x${r.str(16, "0123456789ABCDEF")}`],
    [
      "ssh-rsa-pub",
      `authorized_keys: ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ${b64(340)} ops@bastion`,
    ],
    ["arn-role", `role_arn: arn:aws:iam::${r.str(12, DIGITS)}:role/deploy-prod`],
    [
      "arn-secret",
      `SecretId: arn:aws:secretsmanager:eu-west-1:${r.str(12, DIGITS)}:secret:prod/db-${
        r.str(6, ALNUM)
      }`,
    ],
    ["token-placeholder", "token: <token>"],
    ["var-placeholder", "password: ${DB_PASSWORD}"],
    ["dollar-var", "export API_KEY=$API_KEY"],
    ["helm-template", "password: {{ .Values.postgresql.auth.password }}"],
    ["other-templates", "password: ((db_password))\ntoken: #{api_token}\nsecret: __APP_SECRET__"],
    ["cfn-ref", "MasterUserPassword: !Ref DbPassword"],
    ["gha-secret", "  GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}"],
    ["k8s-existing-secret", "existingSecret: billing-postgres-credentials"],
    ["k8s-secret-name", "secretName: api-gateway-tls"],
    [
      "k8s-secret-key-ref",
      "valueFrom:\n  secretKeyRef:\n    name: db-credentials\n    key: password",
    ],
    ["k8s-secret-table", "| secret | billing-postgres-credentials |"],
    ["aws-example-key-id", "AWS_ACCESS_KEY_ID=" + "AKIA" + "IOSFODNN7EXAMPLE"],
    ["aws-example-secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"],
    [
      "semver",
      `version: ${r.int(0, 9)}.${r.int(0, 30)}.${r.int(0, 99)}-beta.${r.int(1, 9)}+build.${
        r.int(1, 999)
      }`,
    ],
    ["url-no-password", "remote: https://git@github.com/acme/widgets.git"],
    ["url-no-userinfo", "DATABASE_URL=postgres://db.internal:5432/app?sslmode=require"],
    ["npm-integrity", `"integrity": "sha512-${b64(86)}=="`],
    ["sri-integrity", `<script integrity="sha384-${b64(64)}" src="app.js">`],
    ["changeme", "password: changeme"],
    ["your-api-key-here", "api_key: your-api-key-here"],
    ["x-filled", "token: xxxxxxxxxxxxxxxxxxxxxxxx"],
    ["x-filled-dashed", "SECRET_KEY=xxxx-xxxx-xxxx-xxxx"],
    ["stars", "secret: ****************"],
    ["max-tokens", "max_tokens: 4096\ntoken_budget: 120000"],
    ["password-file", "password_file: /run/secrets/db_password"],
    ["prose-secret", "The secret to fast builds is caching; the token count stays low."],
    ["password-policy", "PASSWORD_MIN_LENGTH=12\npassword_rotation: 90d"],
    ["bearer-placeholder", "Authorization: Bearer <access-token>"],
    [
      "google-client-id",
      `client_id: ${r.str(12, DIGITS)}-${r.str(32, LOWER + DIGITS)}.apps.googleusercontent.com`,
    ],
    [
      "gpg-fingerprint",
      `gpg fingerprint ${r.str(4, "ABCDEF0123456789")} ${r.str(4, "ABCDEF0123456789")} ${
        r.str(4, "ABCDEF0123456789")
      } ${r.str(4, "ABCDEF0123456789")}`,
    ],
    ["aws-region", "AWS_REGION=eu-west-1\nAWS_PROFILE=acme-dev"],
    ["query-string", "https://example.org/search?q=token+rotation&page=2&sort=desc"],
    [
      "env-reference",
      "const token = process.env.GITHUB_TOKEN;\nconst apiKey = config.openai.apiKey;",
    ],
    ["our-marker", "token: [REDACTED:github-token] (from last week's bundle)"],
    ["ipv6-mac", "fe80::1ff:fe23:4567:890a and 00:1a:2b:3c:4d:5e"],
    ["base64-json", `payload: ${btoa('{"page":2,"size":50}')}`],
    [
      "jwt-io-example",
      "Example: " + b64url('{"alg":"HS256","typ":"JWT"}') + "." +
      b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}') +
      ".SflKxwRJSMeKKF2QT4fwpMeJf36" +
      "POk6yJV_adQssw5c",
    ],
    [
      "pem-certificate",
      "-----BEGIN " + "CERTIFICATE-----\n" + Array.from({ length: 4 }, () => b64(64)).join("\n") +
      "\n-----END CERTIFICATE-----",
    ],
    [
      "pem-public-key",
      "-----BEGIN " + `PUBLIC KEY-----\n${b64(64)}\n${b64(20)}\n-----END PUBLIC KEY-----`,
    ],
    ["code-identifier-value", "idempotencyKey: bundleSha256,\nauth: authKinds(ctx.env),"],
    ["kustomize-secret-name", `secretName: db-credentials-${r.str(10, "bcdfghkmt2456789")}`],
    ["pod-name", `kubectl logs api-${r.str(10, HEX)}-${r.str(5, LOWER + DIGITS)} -n prod`],
    [
      "git-lfs-pointer",
      `version https://git-lfs.github.com/spec/v1\noid sha256:${r.str(64, HEX)}\nsize 1234`,
    ],
    ["go-sum", `golang.org/x/net v0.${r.int(1, 40)}.0 h1:${b64(43)}=`],
    [
      "jwks-public",
      `{"kty": "RSA", "e": "AQAB", "kid": "${r.str(16, HEX)}", "n": "${r.str(342, B64URL)}"}`,
    ],
  ];
  return cases.map(([id, text]) => ({ id, text }));
}
