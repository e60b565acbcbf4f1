/**
 * kaizen's secret-detection rules.
 *
 * Provider rules match token formats with a distinctive shape (a prefix, a
 * fixed length, a checksum-like tail), modelled on gitleaks' public rule
 * list and rewritten for JavaScript regular expressions. Context rules match
 * a value only near a word that names it (an AWS secret near `aws`/`secret`,
 * a Twilio secret next to its `SK…` key). The keyword rule (`./generic.ts`)
 * and the multi-line block rule (`./blocks.ts`) complete the set.
 *
 * Every rule lists keywords for the prefilter (`SecretRule.keywords`), and
 * every pattern is written so that a scan is linear in the input: each
 * token pattern opens with a look-behind that refuses to start inside a run
 * of the token's own characters, and every repetition is bounded. An
 * adversarial input therefore costs one bounded attempt per run, not one per
 * position (see `bench/redact_adversarial.ts`).
 *
 * Pure: no I/O, no `node:` imports, no logging.
 *
 * @module
 */

import {
  charClasses,
  isDocumentedExample,
  isMasked,
  isPlaceholder,
  isUrlPasswordPlaceholder,
  looksLikeSecretValue,
  shannonEntropy,
} from "./allow.ts";
import { scanKeyBlocks } from "./blocks.ts";
import { scanKeywordValues } from "./generic.ts";
import { scanTableColumns } from "./table.ts";
import type { SecretRule, SecretSpan } from "./types.ts";

export type { SecretRule, SecretSpan } from "./types.ts";
export {
  isPlaceholder,
  isUrlPasswordPlaceholder,
  looksLikeSecretValue,
  shannonEntropy,
} from "./allow.ts";

/** The marker that replaces a secret. */
export function redactionMarker(ruleId: string): string {
  return `[REDACTED:${ruleId}]`;
}

/**
 * Matches our markers in a text. Used to count redactions and to keep the
 * marker text itself from being taken for a secret; a marker in the input
 * never shields anything around it.
 */
export const MARKER_PATTERN = /\[REDACTED:[a-z0-9-]{1,64}\]/g;

// ---------------------------------------------------------------------------
// Rule builder

interface PatternRuleSpec {
  id: string;
  description: string;
  keywords: readonly string[];
  pattern: RegExp;
  /** Capture group holding the secret; 0 (default) = whole match. */
  group?: number;
  generic?: boolean;
  /** Extra check on the value; `start` is its index in `text`. */
  validate?: (value: string, text: string, start: number) => boolean;
}

function patternRule(spec: PatternRuleSpec): SecretRule {
  const group = spec.group ?? 0;
  let flags = spec.pattern.flags.replace(/[gyd]/g, "") + "g";
  if (group !== 0) flags += "d";
  const re = new RegExp(spec.pattern.source, flags);
  return {
    id: spec.id,
    description: spec.description,
    keywords: spec.keywords,
    generic: spec.generic,
    scan(text: string): SecretSpan[] {
      const spans: SecretSpan[] = [];
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        let start: number;
        let end: number;
        if (group === 0) {
          start = m.index;
          end = m.index + m[0].length;
        } else {
          const idx = m.indices?.[group];
          if (!idx) continue;
          [start, end] = idx;
        }
        if (end <= start) continue;
        const value = text.slice(start, end);
        if (isDocumentedExample(value) || isMasked(value)) continue;
        if (spec.validate && !spec.validate(value, text, start)) continue;
        spans.push({ start, end });
      }
      return spans;
    },
  };
}

/** True when `re` matches within `window` chars before `start`. */
function near(text: string, start: number, window: number, re: RegExp): boolean {
  return re.test(text.slice(Math.max(0, start - window), start));
}

function hasUpperLowerDigit(v: string): boolean {
  return /[A-Z]/.test(v) && /[a-z]/.test(v) && /[0-9]/.test(v);
}

function randomBody(v: string, min = 3.0): boolean {
  return shannonEntropy(v) >= min && !isPlaceholder(v);
}

// Boundaries. `W` refuses to start a token inside a word; `E` also lets a
// token follow one markdown emphasis underscore (`_sk-proj-…_`), but not an
// underscore that is itself inside a word.
const W = String.raw`(?<![A-Za-z0-9_-])`;
const E = String.raw`(?<![A-Za-z0-9-])(?<![A-Za-z0-9-]_)`;
const re = (source: string, flags = "") => new RegExp(source, flags);

// ---------------------------------------------------------------------------
// Provider and context rules. Order matters only for naming: when spans
// overlap, the earlier rule names the merged marker.

const PROVIDER_RULES: SecretRule[] = [
  // --- Cloud
  patternRule({
    id: "aws-access-key-id",
    description: "AWS access key id: AKIA/ASIA/ABIA/ACCA/A3T… + 16 upper-case chars",
    keywords: ["akia", "asia", "abia", "acca", "a3t"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])`,
    ),
  }),
  patternRule({
    id: "aws-secret-access-key",
    description:
      "AWS secret access key: 40 base64 chars (mixed case + digit) within 120 chars after 'aws', 'secret', 'access key', 'credential' or an access key id",
    keywords: ["aws", "secret", "access", "key", "credential", "akia", "asia"],
    pattern: /(?<![A-Za-z0-9/+_.-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_-])/,
    validate: (v, text, start) =>
      hasUpperLowerDigit(v) &&
      near(text, start, 120, /aws|secret|access|key|credential|(?:AKIA|ASIA)[A-Z0-9]{16}/i),
  }),
  patternRule({
    id: "google-api-key",
    description: "Google API key: AIza + 35 chars",
    keywords: ["aiza"],
    pattern: re(String.raw`(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])`),
  }),
  patternRule({
    id: "google-oauth-secret",
    description: "Google OAuth client secret (GOCSPX-…) or access token (ya29.…)",
    keywords: ["gocspx-", "ya29."],
    pattern: re(W + String.raw`(?:GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[A-Za-z0-9_-]{30,300})`),
  }),
  patternRule({
    id: "azure-storage-key",
    description: "Azure storage account / Service Bus key in a connection string",
    keywords: ["accountkey", "sharedaccesskey"],
    pattern: /(?:AccountKey|SharedAccessKey)[ \t]{0,8}=[ \t]{0,8}([A-Za-z0-9+/]{20,100}={0,2})/i,
    group: 1,
  }),
  patternRule({
    id: "azure-sas-signature",
    description: "Azure shared access signature: the sig= parameter",
    keywords: ["sig="],
    pattern: /(?<![A-Za-z0-9_])sig=([A-Za-z0-9%+/=_-]{20,200})/,
    group: 1,
    validate: (v) => v.length >= 30 && shannonEntropy(v) >= 3.5,
  }),
  patternRule({
    id: "azure-ad-client-secret",
    description: "Azure AD client secret (…Q~…)",
    keywords: ["q~"],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`,
    ),
  }),
  patternRule({
    id: "alibaba-access-key",
    description: "Alibaba Cloud access key id (LTAI…)",
    keywords: ["ltai"],
    pattern: /(?<![A-Za-z0-9])LTAI[A-Za-z0-9]{12,24}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "digitalocean-token",
    description: "DigitalOcean token: dop_v1_/doo_v1_/dor_v1_ + 64 hex",
    keywords: ["dop_v1_", "doo_v1_", "dor_v1_"],
    pattern: /(?<![A-Za-z0-9])do[opr]_v1_[a-f0-9]{64}/,
  }),
  patternRule({
    id: "heroku-api-key",
    description: "Heroku API key: HRKU-… or a UUID right after 'heroku'",
    keywords: ["hrku-", "heroku"],
    pattern:
      /(?<![A-Za-z0-9_-])(?:HRKU-[A-Za-z0-9_-]{40,80}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![A-Za-z0-9_-])/,
    validate: (v, text, start) => v.startsWith("HRKU-") || near(text, start, 60, /heroku/i),
  }),
  patternRule({
    id: "cloudflare-origin-ca-key",
    description: "Cloudflare origin CA key (v1.0-…)",
    keywords: ["v1.0-"],
    pattern: /(?<![A-Za-z0-9])v1\.0-[a-f0-9]{24}-[a-f0-9]{146}/,
  }),
  patternRule({
    id: "databricks-token",
    description: "Databricks personal access token: dapi + 32 hex",
    keywords: ["dapi"],
    pattern: /(?<![A-Za-z0-9])dapi[a-fA-F0-9]{32}(?:-\d)?(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "doppler-token",
    description: "Doppler token: dp.pt./dp.st./dp.sa./dp.ct./dp.scim./dp.audit. + 40+ chars",
    keywords: ["dp."],
    pattern: /(?<![A-Za-z0-9_.-])dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_-]{40,64}/,
  }),
  patternRule({
    id: "vault-token",
    description: "HashiCorp Vault token: hvs./hvb./hvr. + 24+ chars",
    keywords: ["hvs.", "hvb.", "hvr."],
    pattern: /(?<![A-Za-z0-9_.-])hv[sbr]\.[A-Za-z0-9_-]{24,300}/,
  }),
  patternRule({
    id: "terraform-cloud-token",
    description: "Terraform Cloud / HCP token (….atlasv1.…)",
    keywords: ["atlasv1"],
    pattern: /(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}/,
  }),
  patternRule({
    id: "pulumi-token",
    description: "Pulumi access token: pul- + 40 hex",
    keywords: ["pul-"],
    pattern: /(?<![A-Za-z0-9_-])pul-[a-f0-9]{40}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "fly-token",
    description: "Fly.io token (FlyV1 fm1_/fm2_…)",
    keywords: ["fm1", "fm2_"],
    pattern: /(?<![A-Za-z0-9_-])fm[12][ar]?_[A-Za-z0-9+/=_-]{40,800}/,
  }),
  patternRule({
    id: "supabase-token",
    description: "Supabase access token (sbp_ + 40 hex)",
    keywords: ["sbp_"],
    pattern: /(?<![A-Za-z0-9])sbp_[a-f0-9]{40}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "planetscale-token",
    description: "PlanetScale password or token (pscale_pw_/pscale_tkn_/pscale_oauth_)",
    keywords: ["pscale_"],
    pattern: /(?<![A-Za-z0-9])pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.=-]{32,64}/,
  }),
  // --- Version control and CI
  patternRule({
    id: "github-token",
    description: "GitHub token: ghp_/gho_/ghu_/ghs_/ghr_ + 36+ chars, or github_pat_…",
    keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9])(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])|github_pat_[A-Za-z0-9_]{22,255}|ghs_[0-9]{1,20}_[A-Za-z0-9_-]{1,1000}\.[A-Za-z0-9_-]{1,4000}\.[A-Za-z0-9_-]{1,1000})`,
    ),
  }),
  patternRule({
    id: "gitlab-token",
    description: "GitLab tokens: glpat-/gldt-/glptt-/glrt-/glsoat-/gloas-/glcbt-/glimt-/glft-…",
    keywords: [
      "glpat-",
      "gldt-",
      "glptt-",
      "glrt-",
      "glsoat-",
      "gloas-",
      "glcbt-",
      "glimt-",
      "glft-",
      "glagent-",
      "gr1348941",
    ],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9_-])(?:(?:glpat|gldt|glptt|glrt|glrtr|glsoat|gloas|glcbt|glimt|glft|glffct|glagent)-[A-Za-z0-9_-]{20,64}(?:\.[A-Za-z0-9_-]{2,16}){0,3}|GR1348941[A-Za-z0-9_-]{20,40})`,
    ),
  }),
  patternRule({
    id: "atlassian-token",
    description: "Atlassian / Bitbucket API token or app password (ATATT3…, ATBB…, ATCTT3…)",
    keywords: ["atatt3", "atbb", "atctt3"],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9_=-])(?:ATATT3|ATCTT3)[A-Za-z0-9_=-]{60,300}|(?<![A-Za-z0-9])ATBB[A-Za-z0-9_=.-]{28,60}`,
    ),
  }),
  patternRule({
    id: "buildkite-token",
    description: "Buildkite agent/API token (bkua_ + 40 hex)",
    keywords: ["bkua_"],
    pattern: /(?<![A-Za-z0-9])bkua_[a-f0-9]{40}/,
  }),
  patternRule({
    id: "circleci-token",
    description: "CircleCI personal token (CCIPAT_…)",
    keywords: ["ccipat_"],
    pattern: /(?<![A-Za-z0-9])CCIPAT_[A-Za-z0-9_]{20,80}/,
  }),
  patternRule({
    id: "netlify-token",
    description: "Netlify personal access token (nfp_…)",
    keywords: ["nfp_"],
    pattern: /(?<![A-Za-z0-9])nfp_[A-Za-z0-9]{36,48}/,
  }),
  // --- Chat
  patternRule({
    id: "slack-token",
    description:
      "Slack token: xoxa-/xoxb-/xoxp-/xoxo-/xoxr-/xoxs-/xoxe- or xapp- + digits and chars",
    keywords: ["xox", "xapp-"],
    pattern: re(
      String.raw`(?<![A-Za-z0-9-])(?:xox[abposre](?:\.xox[a-z]-\d)?|xapp)-[A-Za-z0-9-]{10,250}`,
    ),
    validate: (v) => /[0-9]/.test(v) && !isPlaceholder(v.slice(5)),
  }),
  patternRule({
    id: "slack-webhook-url",
    description:
      "Slack incoming-webhook/workflow URL (hooks.slack.com/services|workflows|triggers/…)",
    keywords: ["hooks.slack.com"],
    pattern:
      /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_]{1,40}\/[A-Za-z0-9_]{1,40}\/[A-Za-z0-9_]{1,80}/,
    validate: (v) => !/\/(?:X{6,}|0{6,})/i.test(v),
  }),
  patternRule({
    id: "discord-bot-token",
    description: "Discord bot token (three dot-separated base64url parts, first starts M/N/O)",
    keywords: [],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])`,
    ),
    // The first part is the base64 of a numeric id: it mixes cases and digits.
    validate: (v) => hasUpperLowerDigit(v.slice(0, v.indexOf("."))),
  }),
  patternRule({
    id: "discord-webhook-url",
    description: "Discord webhook URL (discord.com/api/webhooks/<id>/<token>)",
    keywords: ["discord"],
    pattern: /discord(?:app)?\.com\/api\/webhooks\/[0-9]{5,30}\/([A-Za-z0-9_-]{40,100})/,
    group: 1,
  }),
  patternRule({
    id: "telegram-bot-token",
    description: "Telegram bot token: <bot id>:<35 chars>",
    keywords: [":"],
    pattern: /(?<![A-Za-z0-9_:-])[0-9]{5,16}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/,
    validate: (v) => {
      const tail = v.slice(v.indexOf(":") + 1);
      return /[A-Za-z]/.test(tail) && charClasses(tail) >= 3 && shannonEntropy(tail) >= 3.5;
    },
  }),
  patternRule({
    id: "microsoft-teams-webhook-url",
    description: "Microsoft Teams incoming-webhook URL",
    keywords: ["webhook.office.com"],
    pattern: /https:\/\/[a-z0-9-]{1,60}\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@\/_-]{40,300}/,
  }),
  // --- Payments and messaging services
  patternRule({
    id: "stripe-key",
    description: "Stripe secret/restricted key (sk_/rk_ live|test|prod) or webhook secret (whsec_)",
    keywords: ["sk_", "rk_", "whsec_"],
    pattern: re(
      E +
        String
          .raw`(?:(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9+/=]{24,100})(?![A-Za-z0-9])`,
    ),
  }),
  patternRule({
    id: "square-token",
    description: "Square access token or OAuth secret (sq0atp-/sq0csp-/EAAA…)",
    keywords: ["sq0atp-", "sq0csp-", "eaaa"],
    pattern: re(
      W +
        String.raw`(?:sq0(?:atp|csp)-[A-Za-z0-9_-]{22,60}|EAAA[A-Za-z0-9_-]{60})(?![A-Za-z0-9_-])`,
    ),
  }),
  patternRule({
    id: "flutterwave-key",
    description: "Flutterwave secret key (FLWSECK-…)",
    keywords: ["flwseck"],
    pattern: /FLWSECK(?:_TEST)?-[a-fA-F0-9]{12,40}-X/,
  }),
  patternRule({
    id: "twilio-api-key",
    description: "Twilio API key SID (SK + 32 hex)",
    keywords: ["sk"],
    pattern: /(?<![A-Za-z0-9])SK[0-9a-fA-F]{32}(?![A-Za-z0-9])/,
    validate: (v) => /[0-9]/.test(v) && /[a-fA-F]/.test(v.slice(2)),
  }),
  patternRule({
    id: "twilio-api-secret",
    description: "Twilio API secret: 32 random chars shortly after an SK… key SID",
    keywords: ["sk"],
    pattern: /(?<![A-Za-z0-9])[A-Za-z0-9]{32}(?![A-Za-z0-9])/,
    validate: (v, text, start) =>
      !/^SK[0-9a-fA-F]{30}$/.test(v) && hasUpperLowerDigit(v) &&
      near(text, start, 80, /SK[0-9a-fA-F]{32}/),
  }),
  patternRule({
    id: "sendgrid-api-key",
    description: "SendGrid API key (SG.<22>.<43>)",
    keywords: ["sg."],
    pattern: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{30,64}/,
  }),
  patternRule({
    id: "mailgun-api-key",
    description: "Mailgun API key (key-/pubkey- + 32 hex, or 32-8-8 hex groups)",
    keywords: [],
    pattern:
      /(?<![A-Za-z0-9_-])(?:(?:pub)?key-[a-f0-9]{32}|[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})(?![A-Za-z0-9-])/,
  }),
  patternRule({
    id: "mailchimp-api-key",
    description: "Mailchimp API key (32 hex + -us<dc>)",
    keywords: ["-us"],
    pattern: /(?<![A-Za-z0-9])[a-f0-9]{32}-us[0-9]{1,2}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "postman-api-key",
    description: "Postman API key (PMAK-…)",
    keywords: ["pmak-"],
    pattern: /(?<![A-Za-z0-9])PMAK-[A-Za-z0-9]{24}-[A-Za-z0-9]{34}/,
  }),
  // --- AI providers
  patternRule({
    id: "anthropic-api-key",
    description: "Anthropic API key: sk-ant- + 20+ chars",
    keywords: ["sk-ant-"],
    pattern: re(E + String.raw`sk-ant-[A-Za-z0-9_-]{20,200}`),
    validate: (v) => /[0-9]/.test(v) && !isPlaceholder(v.slice(7)),
  }),
  patternRule({
    id: "openai-api-key",
    description: "OpenAI-style API key: sk- (optionally proj-/svcacct-/admin-) + 20+ random chars",
    keywords: ["sk-"],
    pattern: re(E + String.raw`sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,250}`),
    validate: (v) => {
      const body = v.replace(/^sk-(?:proj-|svcacct-|admin-|None-)?/, "").replace(/_+$/, "");
      return hasUpperLowerDigit(body) && randomBody(body, 3.5);
    },
  }),
  patternRule({
    id: "huggingface-token",
    description: "Hugging Face token (hf_…) or organization token (api_org_…)",
    keywords: ["hf_", "api_org_"],
    pattern: re(E + String.raw`(?:hf_|api_org_)[A-Za-z0-9]{30,40}(?![A-Za-z0-9])`),
    validate: (v) => randomBody(v.replace(/^(?:hf_|api_org_)/, ""), 3.5),
  }),
  patternRule({
    id: "groq-api-key",
    description: "Groq API key (gsk_ + 52 chars)",
    keywords: ["gsk_"],
    pattern: re(E + String.raw`gsk_[A-Za-z0-9]{48,56}(?![A-Za-z0-9])`),
  }),
  patternRule({
    id: "replicate-api-token",
    description: "Replicate API token (r8_ + 37 chars)",
    keywords: ["r8_"],
    pattern: re(E + String.raw`r8_[A-Za-z0-9]{37}(?![A-Za-z0-9])`),
  }),
  patternRule({
    id: "perplexity-api-key",
    description: "Perplexity API key (pplx- + 48 chars)",
    keywords: ["pplx-"],
    pattern: re(E + String.raw`pplx-[A-Za-z0-9]{40,56}(?![A-Za-z0-9])`),
  }),
  patternRule({
    id: "xai-api-key",
    description: "xAI API key (xai- + 80 chars)",
    keywords: ["xai-"],
    pattern: re(E + String.raw`xai-[A-Za-z0-9]{70,90}(?![A-Za-z0-9])`),
  }),
  // --- Package registries and containers
  patternRule({
    id: "npm-token",
    description: "npm access token: npm_ + 36 chars",
    keywords: ["npm_"],
    pattern: /(?<![A-Za-z0-9])npm_[A-Za-z0-9_]{36}(?![A-Za-z0-9_])/,
  }),
  patternRule({
    id: "pypi-token",
    description: "PyPI upload token (pypi- + a macaroon, e.g. pypi-AgEIcHlwaS5vcmc…)",
    keywords: ["pypi-"],
    pattern: /(?<![A-Za-z0-9_-])pypi-[A-Za-z0-9_-]{50,400}/,
  }),
  patternRule({
    id: "rubygems-api-key",
    description: "RubyGems API key (rubygems_ + 48 hex)",
    keywords: ["rubygems_"],
    pattern: /(?<![A-Za-z0-9])rubygems_[a-f0-9]{48}/,
  }),
  patternRule({
    id: "nuget-api-key",
    description: "NuGet API key (oy2 + 43 chars)",
    keywords: ["oy2"],
    pattern: /(?<![A-Za-z0-9])oy2[a-z0-9]{43}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "dockerhub-token",
    description: "Docker Hub personal/organization access token (dckr_pat_/dckr_oat_)",
    keywords: ["dckr_"],
    pattern: /(?<![A-Za-z0-9])dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,60}/,
  }),
  patternRule({
    id: "docker-config-auth",
    description: 'Docker config.json "auth"/"identitytoken" value (base64 user:password)',
    keywords: ['"auth"', "identitytoken"],
    pattern: /"(?:auth|identitytoken)"[ \t]{0,8}:[ \t]{0,8}"([A-Za-z0-9+/=._-]{12,2048})"/i,
    group: 1,
    validate: (v) => !isPlaceholder(v) && shannonEntropy(v) >= 3.0,
  }),
  patternRule({
    id: "jfrog-api-key",
    description: "JFrog Artifactory API key (AKCp…)",
    keywords: ["akcp"],
    pattern: /(?<![A-Za-z0-9])AKCp[A-Za-z0-9]{60,80}(?![A-Za-z0-9])/,
  }),
  // --- Developer services
  patternRule({
    id: "shopify-token",
    description: "Shopify token (shpat_/shpss_/shpca_/shppa_ + 32 hex)",
    keywords: ["shpat_", "shpss_", "shpca_", "shppa_"],
    pattern: /(?<![A-Za-z0-9])shp(?:at|ss|ca|pa)_[A-Za-z0-9]{32,64}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "linear-api-key",
    description: "Linear API key (lin_api_ + 40 chars) or OAuth token (lin_oauth_)",
    keywords: ["lin_api_", "lin_oauth_"],
    pattern: /(?<![A-Za-z0-9])lin_(?:api|oauth)_[A-Za-z0-9_]{32,128}/,
  }),
  patternRule({
    id: "sentry-token",
    description: "Sentry auth token (sntrys_… org token, sntryu_… user token)",
    keywords: ["sntrys_", "sntryu_"],
    pattern: /(?<![A-Za-z0-9])(?:sntrys_eyJ[A-Za-z0-9+/=_-]{40,400}|sntryu_[a-f0-9]{64})/,
  }),
  patternRule({
    id: "grafana-token",
    description: "Grafana Cloud API token (glc_…) or service-account token (glsa_…)",
    keywords: ["glc_", "glsa_"],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9])(?:glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})`,
    ),
  }),
  patternRule({
    id: "new-relic-key",
    description: "New Relic user/ingest/browser key (NRAK-/NRII-/NRJS-…)",
    keywords: ["nrak-", "nrii-", "nrjs-"],
    pattern: /(?<![A-Za-z0-9])NR(?:AK|II|JS)-[A-Za-z0-9]{19,32}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "dynatrace-token",
    description: "Dynatrace API token (dt0c01.…)",
    keywords: ["dt0c01."],
    pattern: /dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}/,
  }),
  patternRule({
    id: "notion-token",
    description: "Notion integration token (ntn_… or secret_ + 43 chars)",
    keywords: ["ntn_", "secret_"],
    pattern: /(?<![A-Za-z0-9_])(?:ntn_[A-Za-z0-9]{40,50}|secret_[A-Za-z0-9]{43})(?![A-Za-z0-9])/,
    validate: (v) => hasUpperLowerDigit(v),
  }),
  patternRule({
    id: "airtable-token",
    description: "Airtable personal access token (pat<14>.<64 hex>)",
    keywords: ["pat"],
    pattern: /(?<![A-Za-z0-9])pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "figma-token",
    description: "Figma personal access token (figd_…)",
    keywords: ["figd_"],
    pattern: /(?<![A-Za-z0-9])figd_[A-Za-z0-9_-]{38,200}/,
  }),
  patternRule({
    id: "vercel-token",
    description: "Vercel token (vcp_/vci_/vca_/vcr_/vck_ + 20–60 chars)",
    keywords: ["vcp_", "vci_", "vca_", "vcr_", "vck_"],
    pattern: /(?<![A-Za-z0-9])vc[piark]_[A-Za-z0-9]{20,60}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "cloudflare-token",
    description: "Cloudflare API token with prefix (cfk_/cfut_/cfat_ + 48 chars)",
    keywords: ["cfk_", "cfut_", "cfat_"],
    pattern: /(?<![A-Za-z0-9])(?:cfk|cfut|cfat)_[A-Za-z0-9]{40}[0-9a-f]{8}(?![A-Za-z0-9])/,
  }),
  patternRule({
    id: "tailscale-key",
    description: "Tailscale auth/API key (tskey-<type>-…-…)",
    keywords: ["tskey-"],
    pattern: /(?<![A-Za-z0-9_-])tskey-[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60}/,
  }),
  patternRule({
    id: "onepassword-token",
    description: "1Password service-account token (ops_eyJ…) or account secret key (A3-…)",
    keywords: ["ops_", "a3-"],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9_])ops_eyJ[A-Za-z0-9+/=_-]{100,2000}|(?<![A-Za-z0-9-])A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}`,
    ),
  }),
  patternRule({
    id: "age-secret-key",
    description: "age encryption secret key (AGE-SECRET-KEY-1…)",
    keywords: ["age-secret-key-1"],
    pattern: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}/i,
  }),
  patternRule({
    id: "nats-nkey-seed",
    description: "NATS nkey seed (SU…/SA…/SO…/SN…/SC…/SP…/SX… + 56 base32 chars)",
    keywords: ["su", "sa", "so", "sn", "sc", "sp", "sx"],
    pattern: /(?<![A-Za-z0-9])S[UANOCPX][A-Z2-7]{56}(?![A-Za-z0-9])/,
  }),
  // --- Generic credential forms
  patternRule({
    id: "jwt",
    description: "JSON Web Token: eyJ….eyJ….<signature> (also NATS user JWTs)",
    keywords: ["eyj"],
    pattern: re(
      String
        .raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,8192}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{0,2048}`,
    ),
  }),
  patternRule({
    id: "url-password",
    description:
      "Password in a URL's user-info (scheme://user:password@host, also ://:password@); only the password",
    keywords: ["://"],
    pattern:
      // An unencoded `@` inside the password is allowed when another `@` follows
      // (the last one ends the user-info).
      /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s:@/?#"'<>\[\]]{0,128}:((?:[^\s@/"'<>]|@(?=[^\s/"'<>]{0,256}@)){1,256})@/,
    group: 1,
    validate: (v) => !isUrlPasswordPlaceholder(v),
  }),
  patternRule({
    id: "url-token-user",
    description:
      "Token used as the user of a URL with a fixed password (https://<token>:x-oauth-basic@…)",
    keywords: ["x-oauth-basic"],
    pattern: /:\/\/([^\s:@/?#"'<>]{8,256}):x-oauth-basic@/,
    group: 1,
  }),
  patternRule({
    id: "cli-user-password",
    description:
      "Password in a command-line user:password argument (curl -u/--user, wget --password=…)",
    keywords: ["-u", "--user", "--password", "--passwd"],
    pattern:
      /(?<![A-Za-z0-9_-])(?:(?:-u|--user)(?:[ \t]{1,8}|=)["']?[^\s:"'$]{1,64}:|--(?:http-|ftp-|proxy-)?pass(?:word|wd)?(?:[ \t]{1,8}|=)["']?)([^\s"'`]{3,256})/,
    group: 1,
    validate: (v) => !isUrlPasswordPlaceholder(v) && v.length >= 4,
  }),
  patternRule({
    id: "mysql-cli-password",
    description: "Password glued to -p on a mysql/mariadb command line (mysql -u root -pSecret)",
    keywords: ["mysql", "mariadb"],
    pattern:
      /\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]{0,200}?[ \t]-p([^\s"'`-][^\s"'`]{3,255})/,
    group: 1,
    validate: (v) => !isUrlPasswordPlaceholder(v),
  }),
  patternRule({
    id: "sshpass-password",
    description: "Password given to sshpass -p",
    keywords: ["sshpass"],
    pattern: /\bsshpass\b[ \t]{1,8}-p[ \t]?["']?([^\s"']{3,256})/,
    group: 1,
    validate: (v) => !isUrlPasswordPlaceholder(v),
  }),
  patternRule({
    id: "putty-private-key",
    description: "PuTTY private key: the lines after Private-Lines:",
    keywords: ["private-lines"],
    // Also with escaped line breaks, as inside a JSON string.
    pattern:
      /Private-Lines:[ \t]{0,8}\d{1,3}(?:\r?\n|(?:\\r)?\\n)((?:[A-Za-z0-9+/=]{1,128}(?=\r?\n|(?:\\r)?\\n|$|["'])(?:\r?\n|(?:\\r)?\\n)?){1,200})/,
    group: 1,
  }),
  patternRule({
    id: "basic-auth",
    description: "Credentials after 'Basic ' (HTTP Authorization header): base64 of user:password",
    keywords: ["basic"],
    pattern: /\b[Bb]asic[ \t]{1,8}([A-Za-z0-9+/]{8,1024}={0,2})(?![A-Za-z0-9+/=])/,
    group: 1,
    validate: (v, text, start) => {
      if (isPlaceholder(v)) return false;
      if (near(text, start, 40, /authoriz|auth:|header/i) && v.length >= 12) return true;
      // Otherwise it must decode to printable `user:password`.
      const body = v.replace(/=+$/, "");
      try {
        const decoded = atob(body + "==".slice(0, (4 - (body.length % 4)) % 4));
        return /^[\x20-\x7e]{1,256}:[\x20-\x7e]{1,256}$/.test(decoded);
      } catch {
        return false;
      }
    },
  }),
  patternRule({
    id: "bearer-token",
    description: "Token after 'Bearer ' (HTTP Authorization header) of 16+ random chars",
    keywords: ["bearer"],
    pattern: /\b[Bb][Ee][Aa][Rr][Ee][Rr][ \t]{1,8}([A-Za-z0-9._~+/-]{16,2048}={0,2})/,
    group: 1,
    generic: true,
    validate: (v) => looksLikeSecretValue(v, "quoted"),
  }),
];

/** Multi-line blocks: private keys and NATS credentials files. */
const BLOCK_RULE: SecretRule = {
  id: "private-key",
  description:
    "PEM/OpenSSH/PGP private key or NATS creds block (BEGIN … PRIVATE KEY / USER NKEY SEED / NATS USER JWT), through END or, when cut short, through the last line of key material",
  keywords: ["-----begin"],
  scan: scanKeyBlocks,
};

const KEYWORD_RULE: SecretRule = {
  id: "generic-secret",
  description:
    "a secret-naming key (password, passwd, pwd, pass, secret, token, api_key, access_key, private_key, client_secret, credentials, auth, …) followed by :, =, :=, =>, a table cell separator or whitespace, and a random-looking value",
  keywords: [
    "pass",
    "pwd",
    "secret",
    "token",
    "key",
    "credential",
    "cred",
    "auth",
    "sig",
  ],
  generic: true,
  scan: (text) => [...scanKeywordValues(text), ...scanTableColumns(text)],
};

/** All rules, in naming order. */
export const RULES: readonly SecretRule[] = [BLOCK_RULE, ...PROVIDER_RULES, KEYWORD_RULE];

/** Ids of all rules, in order. */
export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
