// Everything leaving dockmedic for Slack goes through here (see client.ts and app.ts): host output
// quotes env vars, inspect JSON and log lines, and any of them may hold a secret. Over-redacting a
// value costs a user a glance at the host; under-redacting leaks a credential into a chat log.

export const REDACTED = '••••';

/** Names whose values are secrets: *PASSWORD*, *PASSWD*, *SECRET*, *TOKEN*, *CREDENTIAL*, *API_KEY*, *_KEY. */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|API_KEY|_KEY$)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// A whole block, and a block cut short by truncation (its END line never arrived).
const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g;
const PRIVATE_KEY_OPEN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*$/g;

const AUTHORIZATION = /\b(Authorization\s*[:=]\s*(?:Bearer|Basic|Token)\s+)[^\s"',]+/gi;
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g;

// Token shapes that are secrets wherever they appear, whatever they are called.
const TOKEN_SHAPES: RegExp[] = [
  /\bxox[abposr]-[A-Za-z0-9-]{6,}/g,
  /\bxapp-[A-Za-z0-9-]{6,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
];

// NAME=value, NAME="value with spaces", NAME='value'. Unquoted values stop at whitespace and quotes so
// that `"DB_PASSWORD=x"` inside a JSON string keeps its closing quote.
const ENV_PAIR = /\b([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"']+)/g;

// "name": "value" in JSON text (docker inspect output, daemon.json, compose config).
const JSON_PAIR = /"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

export function redactText(input: string): string {
  let text = input.replace(PRIVATE_KEY_BLOCK, REDACTED).replace(PRIVATE_KEY_OPEN, REDACTED);
  text = text.replace(AUTHORIZATION, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
  for (const shape of TOKEN_SHAPES) text = text.replace(shape, REDACTED);
  text = text.replace(ENV_PAIR, (whole: string, name: string) => (isSecretName(name) ? `${name}=${REDACTED}` : whole));
  text = text.replace(JSON_PAIR, (whole: string, name: string, colon: string) =>
    isSecretName(name) ? `"${name}"${colon}"${REDACTED}"` : whole,
  );
  return text;
}

/**
 * Redacts every string inside a JSON-like value, and the whole value of any property whose key names a
 * secret ({ password: "x" }). Returns a copy; the input is not touched.
 */
export function redactDeep<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && isSecretName(key) && value !== '') return REDACTED;
    return redactText(value);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (value === null || typeof value !== 'object') return value;
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [childKey, child] of Object.entries(value)) {
    copy[childKey] = redactValue(child, childKey);
  }
  return copy;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
