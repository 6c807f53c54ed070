// Token shapes that are secrets wherever they appear, whatever they are called. A hand-ported, curated
// subset of gitleaks' default rules (github.com/gitleaks/gitleaks, config/gitleaks.toml, MIT): only the
// rules whose token carries its own vendor prefix, so that a match needs no keyword nearby and no entropy
// test, and is cheap to find (each pattern starts with a literal). Lengths are loosened to a minimum where
// a vendor has changed its format before. Left out on purpose:
// - Stripe publishable keys (`pk_live_`, `pk_test_`): public by design, shipped to every browser.
// - Vault's legacy `s.` tokens and gitleaks' keyword-only rules (`heroku… = <uuid>`): too many false hits
//   on ordinary text; values under secret-looking names are caught by name in redact.ts instead.
// - AWS secret access keys: 40 base64 characters with no prefix, indistinguishable from a hash; caught by
//   name (`aws_secret_access_key = …`).

/** A vendor's token. The whole match is replaced, except capture group 1 when the pattern has one: that is
 * context worth keeping (`hooks.slack.com/services/••••`). `id` follows the gitleaks rule where there is
 * one; gitleaks' default config lacks Docker Hub's `dckr_pat_`, Stripe's `whsec_`, Google's `GOCSPX-` and
 * `ya29.`, Discord webhook URLs, and the Telegram bot token without a `telegram` keyword nearby. */
export interface SecretShape {
  id: string;
  pattern: RegExp;
}

export const SECRET_SHAPES: readonly SecretShape[] = [
  { id: 'slack-token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{6,}/g },
  { id: 'slack-config-token', pattern: /\bxoxe\.xox[bp]-\d-[A-Za-z0-9]{20,}/g },
  { id: 'slack-app-token', pattern: /\bxapp-[A-Za-z0-9-]{6,}/g },
  {
    id: 'slack-webhook-url',
    pattern: /(hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9+/]{20,}/g,
  },
  { id: 'discord-webhook-url', pattern: /(discord(?:app)?\.com\/api\/webhooks\/\d+\/)[\w-]{20,}/g },
  { id: 'github-token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,}/g },
  { id: 'github-fine-grained-pat', pattern: /\bgithub_pat_\w{20,}/g },
  {
    id: 'gitlab-token',
    pattern: /\bgl(?:pat|dt|rt|ptt|cbt|ft|imt|agent|oas|soat|ffct)-[\w-]{20,}(?:\.[0-9a-z]{9})?/g,
  },
  { id: 'gitlab-runner-registration-token', pattern: /\bGR1348941[\w-]{20,}/g },
  { id: 'aws-access-key-id', pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  { id: 'gcp-api-key', pattern: /\bAIza[\w-]{35}/g },
  { id: 'google-oauth-client-secret', pattern: /\bGOCSPX-[\w-]{20,}/g },
  { id: 'google-oauth-access-token', pattern: /\bya29\.[\w-]{20,}/g },
  // OpenAI (`sk-…`, `sk-proj-…`) and Anthropic (`sk-ant-api03-…`) keys; a digit is required so that
  // hyphenated words starting with `sk-` stay. Like the JWT below, it may start only where a run of
  // [\w-] starts: one attempt per run keeps the digit look-ahead linear on long hyphenated text.
  { id: 'openai-anthropic-key', pattern: /(?<![\w-])sk-(?=[\w-]*\d)[\w-]{20,}/g },
  { id: 'stripe-secret-key', pattern: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,}/g },
  { id: 'stripe-webhook-secret', pattern: /\bwhsec_[A-Za-z0-9]{20,}/g },
  { id: 'npm-token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { id: 'pypi-token', pattern: /\bpypi-AgEIcHlwaS5vcmc[\w-]{50,}/g },
  { id: 'sendgrid-api-key', pattern: /\bSG\.[\w-]{16,}\.[\w-]{16,}/g },
  { id: 'twilio-api-key', pattern: /\bSK[0-9a-fA-F]{32}\b/g },
  { id: 'digitalocean-token', pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/g },
  { id: 'vault-token', pattern: /\bhv[sbr]\.[\w-]{20,}/g },
  { id: 'docker-hub-token', pattern: /\bdckr_(?:pat|oat)_[\w-]{20,}/g },
  { id: 'shopify-token', pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { id: 'heroku-api-key-v2', pattern: /\bHRKU-[\w-]{20,}/g },
  { id: 'huggingface-token', pattern: /\b(?:hf_|api_org_)[A-Za-z0-9]{30,}/g },
  { id: 'grafana-token', pattern: /\b(?:glc_[A-Za-z0-9+/]{32,}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})/g },
  { id: 'databricks-token', pattern: /\bdapi[a-f0-9]{32}(?:-\d)?\b/g },
  { id: 'atlassian-api-token', pattern: /\bATATT3[\w=-]{100,}/g },
  { id: 'linear-api-key', pattern: /\blin_api_[A-Za-z0-9]{40}\b/g },
  { id: 'postman-api-key', pattern: /\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g },
  { id: 'pulumi-token', pattern: /\bpul-[a-f0-9]{40}\b/g },
  { id: 'sentry-token', pattern: /\bsntry[us]_[\w+/=]{40,}/g },
  { id: 'age-secret-key', pattern: /\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b/g },
  { id: 'telegram-bot-token', pattern: /\b\d{8,10}:AA[\w-]{33}\b/g },
  { id: 'azure-ad-client-secret', pattern: /\b[\w~.]{3}\dQ~[\w~.-]{31,34}/g },
  // JSON Web Tokens: header and payload are base64url JSON, so both start with `eyJ` (`{"`).
  { id: 'jwt', pattern: /(?<![\w-])eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]*/g },
];
