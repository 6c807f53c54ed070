// Everything leaving dockmedic for Slack goes through here (see slack/client.ts and slack/app.ts): host
// output quotes env vars, inspect JSON, command lines and log lines, and any of them may hold a secret.
// Over-redacting a value costs a user a glance at the host; under-redacting leaks a credential into a chat
// log. Only the secret part becomes `••••`: the key name, a URL's user and host, an auth scheme and the
// quotes around a value stay, so the message still says what was there.
//
// Text is redacted in passes, each a regex that runs in linear time (no nested quantifiers over the same
// characters, values bounded by a line): redaction runs on every message and on logs of a few MB.
// Every pass leaves an already redacted value alone, so redacting twice changes nothing.

import { isSecretName } from './redact/secretName.ts';
import { SECRET_SHAPES } from './redact/secretShapes.ts';

export const REDACTED = '••••';

// A whole block, and a block cut short by truncation (its END line never arrived: all that follows goes).
// Any type: RSA, EC, DSA, OPENSSH, ENCRYPTED, bare PKCS#8, and PGP's `PRIVATE KEY BLOCK`.
const PRIVATE_KEY =
  /-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)/g;

// scheme://user:password@host for any scheme (postgres, mysql, mongodb+srv, redis, amqp, https, ftp…).
// The password runs to the last `@` before the path, so an unescaped `@` in it does not leak the rest.
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/)([^\s:@/"'<>\\]*):([^\s/"'<>\\]+)@/g;

const BEARER = /\b([Bb]earer[ \t]+)[A-Za-z0-9._~+/=-]{8,}/g;

// A value as the shell, JSON or a log writes it: \"escaped\", "double", 'single', or a bare word. A bare
// value ends at a backtick: unquoted, it is shell syntax, and in our own Slack text it closes `code`.
const QUOTED = String.raw`\\"(?:[^"\\\n]|\\[^"\n])*\\"|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'`;
const WORD = String.raw`(?:[^\s"'\\\x60]|\\[^\s"'])+`;

// Programs whose short flag carries a password: each pattern captures (program … flag)(gap)(value).
// `mysql -p` counts only in the attached form (`-pS3cret`): after a bare `-p` the next word is the database
// and mysql prompts; an attached `-p` that looks like a port mapping (`-p8080:80`) is left alone in case
// the line goes on into `docker run`. The flag is looked for within 300 characters of the program's name
// (500 for curl, whose headers come first), which keeps a line naming the program many times linear.
const PROGRAM_PASSWORDS: readonly RegExp[] = [
  new RegExp(
    String.raw`(\b(?:mysql(?:dump|admin|import|check|show|pump|sh)?|mariadb(?:-?dump|-?admin|-import|-check)?)\b[^\n|;&]{0,300}?[ \t"]-p)(?![\d.]+(?:-\d+)?:\d)()(${QUOTED}|${WORD})`,
    'g',
  ),
  new RegExp(String.raw`(\bsshpass(?:[ \t]+-[a-oq-zA-Z])*[ \t]+-p)([ \t]*)(?!-)(${QUOTED}|${WORD})`, 'g'),
  new RegExp(
    String.raw`(\b(?:docker|podman|nerdctl|buildah|skopeo)[ \t]+login\b[^\n|;&]{0,300}?[ \t]-p)([ \t]*)(?!-)(${QUOTED}|${WORD})`,
    'g',
  ),
  new RegExp(String.raw`(\bredis-cli\b[^\n|;&]{0,300}?[ \t"]-a)([ \t]*)(?!-)(${QUOTED}|${WORD})`, 'g'),
  // .netrc: `machine host login user password secret`
  new RegExp(String.raw`(\blogin[ \t]+\S+[ \t]+password)([ \t]+)(${QUOTED}|${WORD})`, 'g'),
  // redis.conf
  new RegExp(String.raw`(^[ \t]*(?:requirepass|masterauth))([ \t]+)(${QUOTED}|${WORD})`, 'gm'),
];

// curl -u user:password (also --user, --proxy-user): the user stays.
const CURL_USER =
  /(\bcurl\b[^\n|;&]{0,500}?[ \t"](?:-u|--user(?![\w-])|--proxy-user(?![\w-]))(?:=|[ \t]*)["']?)([^\s:"'`]*):([^\s"'`]+)/g;

// --password pw, --password=pw, --api-key x, -pw x (plink), also as JSON args: "--requirepass", "pw".
// A value never starts with `-` (the next flag) or a shell operator.
const LONG_FLAG = new RegExp(
  String.raw`(?<![\w-])(--?[A-Za-z][\w-]*)(=|[ \t]+|",[ \t]*")(?![-<>|&;#])(${QUOTED}|${WORD})`,
  'g',
);

// "name": "value" and \"name\":\"value\" (JSON, also escaped inside a log line), 'name': 'value' (Python),
// 'name' => 'value' (PHP).
const QUOTED_PAIR = new RegExp(
  String.raw`(?<!\\)(\\?["'])([^"'\\\n]*)\1([ \t]*(?:=>|[:=])[ \t]*)(${QUOTED}|[^\s,}\]"'\\\x60]+)`,
  'g',
);

// "NAME=value" as a whole JSON string (Config.Env in docker inspect): the value runs to the closing
// quote, spaces and literal quotes included (`"DB_PASSWORD=\"pw\""`, which the env-quotes check shows).
const ENV_IN_STRING = /(?<!\\)(\\?)"([A-Za-z_][\w.-]*)=((?:[^"\\\n]|\\.)*?)\1"/g;

// NAME=value as a shell or logfmt writes it; the value ends at whitespace unless quoted. Also Java's
// -Dname=value. Not after `/` or `-` (paths, flags: --password=x is a flag above).
const ENV_ASSIGN = new RegExp(String.raw`(?:(?<![\w.\-/])|(?<=(?:^|\s)-D))([A-Za-z_][\w.-]*)=(${QUOTED}|${WORD})`, 'g');

// name: value (YAML, logs, HTTP headers), name = value (ini), name => value (Ruby, PHP). Unlike NAME=value
// these values may hold spaces (`password: correct horse battery`), so an unquoted one runs to the end of
// the line, or to a quote when the pair sits inside a JSON string.
const LINE_PAIR_KEY = /(?<![\w.\-/])([A-Za-z_][\w.-]*)(?:[ \t]*(?::(?![:/])|=>)[ \t]*|[ \t]+=[ \t]*|=[ \t]+)/g;
const LINE_VALUE = new RegExp(String.raw`${QUOTED}|(?:[^\r\n"\\\x60]|\\[^"\r\n])+`, 'y');

const QUOTE_PAIR = /^(\\"|"|')([\s\S]*)\1$/;
const AUTH_SCHEME = /^((?:Bearer|Basic|Token|Bot|Digest)[ \t]+)\S/i;

/** The value with its secret part masked; wrapping quotes and an auth scheme word stay. */
function masked(value: string): string {
  const quoted = QUOTE_PAIR.exec(value);
  if (quoted) return `${quoted[1]}${maskedInner(quoted[2] as string)}${quoted[1]}`;
  return maskedInner(value);
}

function maskedInner(value: string): string {
  const scheme = AUTH_SCHEME.exec(value);
  return scheme ? `${scheme[1]}${REDACTED}` : REDACTED;
}

// JSON's and YAML's literals say there is no secret (`"Authorization": null` in docker info), and an
// empty value says one is missing: both are worth seeing as they are.
const NO_SECRET = /^(?:null|true|false|~)?$/;

/** False for a value already masked, empty, or a literal such as null. */
function holdsSecret(value: string): boolean {
  const inner = QUOTE_PAIR.exec(value)?.[2] ?? value;
  return masked(value) !== value && !NO_SECRET.test(inner);
}

function redactPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY, REDACTED);
}

function redactShapes(text: string): string {
  let result = text;
  for (const { pattern } of SECRET_SHAPES) {
    result = result.replace(pattern, (_whole: string, keep: unknown) =>
      typeof keep === 'string' ? `${keep}${REDACTED}` : REDACTED,
    );
  }
  return result;
}

function redactUrlsAndSchemes(text: string): string {
  return text.replace(URL_USERINFO, `$1$2:${REDACTED}@`).replace(BEARER, `$1${REDACTED}`);
}

function redactProgramPasswords(text: string): string {
  let result = text;
  for (const pattern of PROGRAM_PASSWORDS) {
    result = result.replace(pattern, (whole: string, before: string, gap: string, value: string) =>
      holdsSecret(value) ? `${before}${gap}${REDACTED}` : whole,
    );
  }
  return result.replace(CURL_USER, `$1$2:${REDACTED}`);
}

function redactLongFlags(text: string): string {
  return text.replace(LONG_FLAG, (whole: string, flag: string, separator: string, value: string) =>
    isSecretName(flag) && holdsSecret(value) ? `${flag}${separator}${REDACTED}` : whole,
  );
}

function redactQuotedPairs(text: string): string {
  return text.replace(QUOTED_PAIR, (whole: string, quote: string, name: string, separator: string, value: string) =>
    isSecretName(name) && holdsSecret(value) ? `${quote}${name}${quote}${separator}${masked(value)}` : whole,
  );
}

function redactEnvInStrings(text: string): string {
  return text.replace(ENV_IN_STRING, (whole: string, backslash: string, name: string, value: string) =>
    isSecretName(name) && holdsSecret(value) ? `${backslash}"${name}=${masked(value)}${backslash}"` : whole,
  );
}

function redactEnvAssignments(text: string): string {
  return text.replace(ENV_ASSIGN, (whole: string, name: string, value: string) => {
    if (!isSecretName(name) || !holdsSecret(value)) return whole;
    // Shell quotes are syntax and go with the value; escaped quotes belong to an enclosing JSON string.
    return `${name}=${value.startsWith('\\"') ? masked(value) : REDACTED}`;
  });
}

/** A loop, not one replace: an unquoted value runs to the end of the line, and a pair whose name is no
 * secret must not swallow a later pair on that line (`user: bob, password: x`). */
function redactLinePairs(text: string): string {
  let result = '';
  let copied = 0;
  for (const match of text.matchAll(LINE_PAIR_KEY)) {
    const valueStart = match.index + match[0].length;
    if (match.index < copied || !isSecretName(match[1] as string)) continue;
    LINE_VALUE.lastIndex = valueStart;
    const value = LINE_VALUE.exec(text)?.[0].trimEnd();
    if (value === undefined || !holdsSecret(value)) continue;
    result += text.slice(copied, valueStart) + masked(value);
    copied = valueStart + value.length;
  }
  return result + text.slice(copied);
}

const PASSES: readonly ((text: string) => string)[] = [
  redactPrivateKeys,
  redactShapes,
  redactUrlsAndSchemes,
  redactProgramPasswords,
  redactLongFlags,
  redactQuotedPairs,
  redactEnvInStrings,
  redactEnvAssignments,
  redactLinePairs,
];

export function redactText(input: string): string {
  let text = input;
  for (const pass of PASSES) text = pass(text);
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
