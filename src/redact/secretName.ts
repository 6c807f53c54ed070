// Whether a name (env var, YAML/JSON key, CLI flag, HTTP header) labels a secret value. The name is
// split into lower-case words (`MYSQL_ROOT_PASSWORD`, `apiToken`, `x-api-key`, `spring.datasource.password`)
// and judged word by word, because substring tests misfire both ways: `TOKENIZERS_PARALLELISM` and
// `MAX_TOKENS` are not secrets, `DB_PASS` is one.
//
// Decisions about false positives (over-redacting costs a glance at the host, under-redacting leaks):
// - A trailing word that says the value is *about* a secret, not the secret, clears the name:
//   `POSTGRES_PASSWORD_FILE`, `KEY_FILE`, `TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `secretName`, `auth_method`,
//   `--password-stdin`. Such values are paths, URLs, numbers or names; a URL still has its password masked
//   by the URL rule of redact.ts.
// - A leading count or switch word clears it too: `MAX_TOKENS`, `MAX_KEYS`, `--no-auth`, `ENABLE_AUTH`.
// - `PWD` and `OLDPWD` are the shell's working directories; `DB_PWD`, `MYSQL_PWD` are passwords.
// - `pass` counts only as a whole word (`DB_PASS`, `SMTP_PASS`), so `PASSENGER_*`, `BYPASS`, `PASSPORT` stay.
// - `auth`, `authorization` and `cookie` count only as the last word (`REDIS_AUTH`, `Set-Cookie`), so
//   `AUTH_ENABLED`, `COOKIE_DOMAIN` stay.
// - `*_KEY` is a secret (`SSH_KEY`, `APP_KEY`, `RAILS_MASTER_KEY`) unless its qualifier names a key that is
//   public or a lookup key: `PUBLIC_KEY`, `STRIPE_PUBLISHABLE_KEY`, `PRIMARY_KEY`, `ROUTING_KEY`,
//   `CACHE_KEY`, docker inspect's `SandboxKey`. A bare `key` (Kubernetes selectors, tolerations) is not a secret.

/** Words that are a secret on their own, also glued to a prefix: `dbpassword`, `apitoken`, `password2`. */
const SECRET_WORD = /(?:password|passwd|passphrase|secret|token|credential|creds?)s?\d*$/;
const PASS_WORDS = new Set([
  'pass',
  'pwd',
  'pw',
  'sshpass',
  'dbpass',
  'smtppass',
  'mailpass',
  'rootpass',
  'adminpass',
  'userpass',
  'requirepass', // redis.conf / redis-server --requirepass
  'masterauth',
]);
/** `apikey`, `accesskey`, `privatekey`… written as one word. */
const GLUED_KEY = /^(?:api|access|private|secret|auth|master|signing|encryption|license|session|client|app)keys?$/;
/** Words before `key` that make `…_KEY…` a secret anywhere in the name (`STRIPE_API_KEY_LIVE`). */
const KEY_QUALIFIERS = new Set([
  'api',
  'access',
  'private',
  'secret',
  'auth',
  'master',
  'signing',
  'encryption',
  'license',
  'session',
  'client',
  'app',
]);
/** Words before a trailing `key` that make it no secret. */
const LOOKUP_KEY_QUALIFIERS = new Set([
  'sandbox', // docker inspect NetworkSettings.SandboxKey: a netns path
  'public',
  'pub',
  'publishable',
  'authorized',
  'primary',
  'foreign',
  'sort',
  'partition',
  'range',
  'hash',
  'routing',
  'cache',
  'object',
  'idempotency',
  'dedup',
  'lookup',
  'unique',
  'composite',
]);
const LAST_WORD_SECRETS = new Set(['auth', 'authorization', 'cookie', 'cookies', 'sessionid', 'sessid', 'jsessionid']);
const ABOUT_A_SECRET = new Set([
  'file',
  'files',
  'path',
  'paths',
  'dir',
  'url',
  'uri',
  'arn',
  'endpoint',
  'host',
  'hostname',
  'port',
  'ttl',
  'expiry',
  'expires',
  'expiration',
  'lifetime',
  'length',
  'len',
  'size',
  'count',
  'enabled',
  'disabled',
  'required',
  'type',
  'mode',
  'method',
  'header',
  'name',
  'names',
  'policy',
  'timeout',
  'limit',
  'prefix',
  'field',
  'format',
  'stdin',
]);
const COUNT_OR_SWITCH = new Set(['max', 'min', 'num', 'no', 'skip', 'disable', 'enable', 'require', 'allow', 'show']);
const NOT_SECRET_NAMES = new Set(['pwd', 'oldpwd']);
/** Cheap pre-test: most names in a log line contain none of these. */
const MAYBE_SECRET = /pass|pwd|pw|secret|token|cred|key|auth|cookie|sess/i;

export function isSecretName(name: string): boolean {
  if (!MAYBE_SECRET.test(name)) return false;
  const words = nameWords(name);
  const first = words[0];
  const last = words.at(-1);
  if (first === undefined || last === undefined) return false;
  if (NOT_SECRET_NAMES.has(words.join(''))) return false;
  if (ABOUT_A_SECRET.has(last) || COUNT_OR_SWITCH.has(first)) return false;
  if (LAST_WORD_SECRETS.has(last)) return true;
  if (words.some((word) => SECRET_WORD.test(word) || PASS_WORDS.has(word) || GLUED_KEY.test(word))) return true;
  return namesAKey(words);
}

/** `MYSQL_ROOT_PASSWORD` → mysql, root, password; `apiToken` → api, token; `x-api-key` → x, api, key. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

function namesAKey(words: readonly string[]): boolean {
  for (let index = 1; index < words.length; index++) {
    const word = words[index] as string;
    if (word !== 'key' && word !== 'keys') continue;
    const qualifier = words[index - 1] as string;
    if (KEY_QUALIFIERS.has(qualifier)) return true;
    if (index === words.length - 1 && !LOOKUP_KEY_QUALIFIERS.has(qualifier)) return true;
  }
  return false;
}
