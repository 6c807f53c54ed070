// Secrets in the shapes they take on real Docker hosts: env lines, inspect JSON, command lines, config
// files, HTTP headers and log lines. Formats are real, values are fake. Used by test/unit/redact.test.ts;
// integration tests may put the same texts into a container's env and logs and check what reaches Slack.
//
// Token values are generated (fakeToken) rather than pasted, so that the file reads clearly and no
// scanner mistakes it for a leak; each has its vendor's prefix, alphabet and length.

export interface SecretSample {
  name: string;
  /** The text as it appears on a host. */
  text: string;
  /** The exact substring that must never survive redaction. */
  secret: string;
  /** Substrings that must survive: the context that makes the redacted text still useful. */
  keeps: string[];
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Deterministic pseudo-random characters: the same corpus on every run. */
export function fakeToken(prefix: string, length: number, alphabet = ALNUM): string {
  let state = 2166136261;
  for (const char of prefix) state = Math.imul(state ^ char.charCodeAt(0), 16777619) >>> 0;
  let body = '';
  for (let index = 0; index < length; index++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    body += alphabet[(state >>> 16) % alphabet.length];
  }
  return `${prefix}${body}`;
}

const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvcHMiLCJpYXQiOjE3MTQ1NjAwMDB9.${fakeToken('', 43)}`;
const pemBody = `${fakeToken('MIIEow', 58)}\n${fakeToken('AIBAAKCAQEA', 53)}\n${fakeToken('x', 40)}==`;
const sshBody = `${fakeToken('b3BlbnNzaC1rZXktdjEAAAAA', 46)}\n${fakeToken('QyNTUxOQAAACB', 57)}`;

function pem(type: string, body: string): string {
  return `-----BEGIN ${type}-----\n${body}\n-----END ${type}-----`;
}

const urls: SecretSample[] = [
  {
    name: 'postgres URL in env',
    text: 'DATABASE_URL=postgres://app:S3cr3tPg!@db:5432/app',
    secret: 'S3cr3tPg!',
    keeps: ['DATABASE_URL=postgres://app:', '@db:5432/app'],
  },
  {
    name: 'postgresql URL in quotes',
    text: 'dsn = "postgresql://report:pg-R3port-pw@pg.internal/reports?sslmode=require"',
    secret: 'pg-R3port-pw',
    keeps: ['dsn = "postgresql://report:', '@pg.internal/reports?sslmode=require"'],
  },
  {
    name: 'mysql URL in JSON',
    text: '{"url":"mysql://root:My5qlRootPw@mysql:3306/shop","pool":10}',
    secret: 'My5qlRootPw',
    keeps: ['"mysql://root:', '@mysql:3306/shop"', '"pool":10'],
  },
  {
    name: 'mongodb URL with a replica set',
    text: 'MongoClient connecting to mongodb://admin:M0ngoPass@mongo1:27017,mongo2:27017/?replicaSet=rs0',
    secret: 'M0ngoPass',
    keeps: ['mongodb://admin:', '@mongo1:27017,mongo2:27017/?replicaSet=rs0'],
  },
  {
    name: 'mongodb+srv URL',
    text: 'MONGO_URI=mongodb+srv://svc:Srv%40Pass99@cluster0.ab1cd.mongodb.net/prod',
    secret: 'Srv%40Pass99',
    keeps: ['mongodb+srv://svc:', '@cluster0.ab1cd.mongodb.net/prod'],
  },
  {
    name: 'redis URL without a user',
    text: 'REDIS_URL=redis://:r3disPw0rd@cache:6379/0',
    secret: 'r3disPw0rd',
    keeps: ['redis://:', '@cache:6379/0'],
  },
  {
    name: 'rediss URL',
    text: 'cache: rediss://default:AbC123xyzRediss@eu1-redis.example.net:6380',
    secret: 'AbC123xyzRediss',
    keeps: ['rediss://default:', '@eu1-redis.example.net:6380'],
  },
  {
    name: 'amqp URL in a log line',
    text: '2024-05-01 10:00:01 INFO Connecting to amqp://guest:RabbitPw77@rabbitmq:5672/ (attempt 1)',
    secret: 'RabbitPw77',
    keeps: ['amqp://guest:', '@rabbitmq:5672/ (attempt 1)'],
  },
  {
    name: 'https URL with a token as password',
    text: 'remote: https://deploy:gitTokenValue123@github.com/acme/api.git',
    secret: 'gitTokenValue123',
    keeps: ['https://deploy:', '@github.com/acme/api.git'],
  },
  {
    name: 'ftp URL',
    text: 'lftp -e "mirror" ftp://backup:FtpBackup2024@files.example.com/dumps/',
    secret: 'FtpBackup2024',
    keeps: ['ftp://backup:', '@files.example.com/dumps/'],
  },
  {
    name: 'URL whose password holds an unescaped @',
    text: 'postgres://app:p@ssw0rd@db/app',
    secret: 'ssw0rd',
    keeps: ['postgres://app:', '@db/app'],
  },
  {
    name: 'URL in an env value with literal quotes (env-quotes)',
    text: 'DATABASE_URL="postgres://app:S3cret-in-quotes@db/app"',
    secret: 'S3cret-in-quotes',
    keeps: ['DATABASE_URL="postgres://app:', '@db/app"'],
  },
  {
    name: 'URL in Config.Env of docker inspect',
    text: '"Env": [\n  "DATABASE_URL=postgres://app:InspectPw1@db/app",\n  "LANG=C.UTF-8"\n]',
    secret: 'InspectPw1',
    keeps: ['"DATABASE_URL=postgres://app:', '"LANG=C.UTF-8"'],
  },
];

const commandLines: SecretSample[] = [
  {
    name: 'mysql -p attached',
    text: 'mysql -u root -pS3cretMy shop',
    secret: 'S3cretMy',
    keeps: ['mysql -u root -p', ' shop'],
  },
  {
    name: 'mysqldump -p attached, with a redirect',
    text: 'mysqldump -h db -uroot -pDumpPw123 --single-transaction shop > /backup/shop.sql',
    secret: 'DumpPw123',
    keeps: ['--single-transaction shop > /backup/shop.sql'],
  },
  {
    name: 'mysqladmin in a compose healthcheck (inspect JSON)',
    text: '"Test": ["CMD", "mysqladmin", "ping", "-h", "localhost", "-pHealthPw9"]',
    secret: 'HealthPw9',
    keeps: ['"mysqladmin", "ping", "-h", "localhost", "-p'],
  },
  {
    name: 'mariadb -p with a quoted password',
    text: "mariadb -u app -p'Maria Pw 1' app",
    secret: 'Maria Pw 1',
    keeps: ['mariadb -u app -p'],
  },
  {
    name: '--password value',
    text: 'mongosh --username admin --password M0ngoshPw --authenticationDatabase admin',
    secret: 'M0ngoshPw',
    keeps: ['--username admin --password ', '--authenticationDatabase admin'],
  },
  {
    name: '--password=value',
    text: 'wget --user=ops --password=WgetPw55 https://files.example.com/x.tar.gz',
    secret: 'WgetPw55',
    keeps: ['--user=ops --password=', 'https://files.example.com/x.tar.gz'],
  },
  {
    name: '--passwd value',
    text: 'smbclient //nas/share --user ops --passwd SmbPw321 -c ls',
    secret: 'SmbPw321',
    keeps: ['--passwd ', '-c ls'],
  },
  {
    name: 'PGPASSWORD before psql',
    text: 'PGPASSWORD=PgEnvPw1 psql -h db -U app -c "select 1"',
    secret: 'PgEnvPw1',
    keeps: ['PGPASSWORD=', 'psql -h db -U app'],
  },
  {
    name: '--token=value',
    text: 'kubectl --token=KubeTok3nValue get pods -n prod',
    secret: 'KubeTok3nValue',
    keeps: ['kubectl --token=', 'get pods -n prod'],
  },
  {
    name: '--client-secret value',
    text: 'oauth2-proxy --client-id web --client-secret CliSecretVal7 --cookie-secure',
    secret: 'CliSecretVal7',
    keeps: ['--client-id web --client-secret ', '--cookie-secure'],
  },
  {
    name: '--api-key value',
    text: 'agent run --api-key DdApiKey1234567 --site eu',
    secret: 'DdApiKey1234567',
    keeps: ['--api-key ', '--site eu'],
  },
  {
    name: 'sshpass -p',
    text: "sshpass -p 'SshPassPw1' ssh -p 2222 ops@web-1",
    secret: 'SshPassPw1',
    keeps: ['sshpass -p', 'ssh -p 2222 ops@web-1'],
  },
  {
    name: 'docker login -p',
    text: 'docker login -u ops -p DockerLoginPw registry.example.com',
    secret: 'DockerLoginPw',
    keeps: ['docker login -u ops -p', 'registry.example.com'],
  },
  {
    name: 'redis-cli -a',
    text: 'redis-cli -h cache -a RedisCliPw7 ping',
    secret: 'RedisCliPw7',
    keeps: ['redis-cli -h cache -a', 'ping'],
  },
  {
    name: 'curl -u user:password',
    text: 'curl -fsS -u admin:CurlPw2024 https://api.example.com/v1/status',
    secret: 'CurlPw2024',
    keeps: ['-u admin:', 'https://api.example.com/v1/status'],
  },
  {
    name: 'redis-server --requirepass in Cmd (inspect JSON)',
    text: '"Cmd": ["redis-server", "--requirepass", "ReqPassPw8", "--appendonly", "yes"]',
    secret: 'ReqPassPw8',
    keeps: ['"--requirepass", "', '"--appendonly", "yes"'],
  },
  {
    name: 'JVM system property',
    text: 'java -Djavax.net.ssl.keyStorePassword=KeyStorePw6 -jar app.jar',
    secret: 'KeyStorePw6',
    keeps: ['-Djavax.net.ssl.keyStorePassword=', '-jar app.jar'],
  },
  {
    name: 'redis.conf requirepass',
    text: '# redis.conf\nbind 0.0.0.0\nrequirepass R3disConfPw\nappendonly yes',
    secret: 'R3disConfPw',
    keeps: ['bind 0.0.0.0\nrequirepass ', '\nappendonly yes'],
  },
  {
    name: '.netrc',
    text: 'machine github.com login ops password NetrcPw5',
    secret: 'NetrcPw5',
    keeps: ['machine github.com login ops password'],
  },
];

const keyValues: SecretSample[] = [
  { name: 'YAML password', text: '  password: yamlPw-2024', secret: 'yamlPw-2024', keeps: ['  password: '] },
  {
    name: 'YAML passphrase with spaces',
    text: 'ssl:\n  passphrase: correct horse battery staple\n  verify: true',
    secret: 'correct horse battery staple',
    keeps: ['passphrase: ', '  verify: true'],
  },
  {
    name: 'ini aws_secret_access_key',
    text: '[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    keeps: ['[default]', 'aws_secret_access_key = '],
  },
  { name: 'DB_PASS env', text: 'DB_PASS=DbPassValue9', secret: 'DbPassValue9', keeps: ['DB_PASS='] },
  { name: 'MYSQL_PWD env', text: 'MYSQL_PWD=MyPwdEnv3 mysql -u app', secret: 'MyPwdEnv3', keeps: ['mysql -u app'] },
  {
    name: 'YAML client_secret',
    text: 'oidc:\n  client_id: dockmedic\n  client_secret: cs-ABCdef123',
    secret: 'cs-ABCdef123',
    keeps: ['client_id: dockmedic', 'client_secret: '],
  },
  {
    name: 'Rails SECRET_KEY_BASE',
    text: `SECRET_KEY_BASE=${fakeToken('', 64, HEX)}`,
    secret: fakeToken('', 64, HEX),
    keeps: ['SECRET_KEY_BASE='],
  },
  {
    name: 'logfmt session_token',
    text: 'level=info msg="login ok" session_token=SessTok99 user=bob',
    secret: 'SessTok99',
    keeps: ['msg="login ok"', 'session_token=', 'user=bob'],
  },
  { name: 'REDIS_AUTH env', text: 'REDIS_AUTH=RedisAuthPw', secret: 'RedisAuthPw', keeps: ['REDIS_AUTH='] },
  {
    name: 'compose environment map, *_KEY',
    text: 'environment:\n  APP_KEY: base64:AppKeyValue0123456789=\n  APP_ENV: production',
    secret: 'AppKeyValue0123456789',
    keeps: ['APP_KEY: ', 'APP_ENV: production'],
  },
  {
    name: 'Java toString in a log line',
    text: 'Loaded DataSourceConfig{user=app, password=ToStringPw1} from env',
    secret: 'ToStringPw1',
    keeps: ['DataSourceConfig{user=app, password=', ' from env'],
  },
  {
    name: 'second pair on a line',
    text: 'user: bob, password: LinePairPw',
    secret: 'LinePairPw',
    keeps: ['user: bob, password: '],
  },
  {
    name: 'PHP/Ruby arrow',
    text: "'password' => 'ArrowPw42',",
    secret: 'ArrowPw42',
    keeps: ["'password' => '"],
  },
];

const tokens: SecretSample[] = [
  {
    name: 'JWT in a log line',
    text: `issued session ${jwt} for ops`,
    secret: jwt,
    keeps: ['issued session ', 'for ops'],
  },
  ...[
    [
      'Slack bot token',
      `xoxb-${fakeToken('', 12, HEX.slice(0, 10))}-${fakeToken('', 13, HEX.slice(0, 10))}-${fakeToken('b', 24)}`,
    ],
    ['Slack user token', `xoxp-${fakeToken('', 12, HEX.slice(0, 10))}-${fakeToken('p', 24)}`],
    [
      'Slack app token',
      `xapp-1-A0${fakeToken('', 9, UPPER_ALNUM)}-${fakeToken('', 13, HEX.slice(0, 10))}-${fakeToken('a', 64, HEX)}`,
    ],
    ['GitHub PAT', fakeToken('ghp_', 36)],
    ['GitHub OAuth token', fakeToken('gho_', 36)],
    ['GitHub app token', fakeToken('ghs_', 36)],
    ['GitHub fine-grained PAT', fakeToken('github_pat_', 82)],
    ['GitLab PAT', fakeToken('glpat-', 20)],
    ['Stripe secret key', fakeToken('sk_live_', 24)],
    ['Stripe restricted key', fakeToken('rk_live_', 24)],
    ['AWS access key id', fakeToken('AKIA', 16, UPPER_ALNUM)],
    ['AWS temporary key id', fakeToken('ASIA', 16, UPPER_ALNUM)],
    ['Google API key', fakeToken('AIza', 35)],
    ['OpenAI project key', fakeToken('sk-proj-', 64)],
    ['Anthropic key', fakeToken('sk-ant-api03-', 93)],
    ['npm token', fakeToken('npm_', 36)],
    ['SendGrid key', `SG.${fakeToken('', 22)}.${fakeToken('sg', 43)}`],
    ['Twilio API key', fakeToken('SK', 32, HEX)],
    ['DigitalOcean PAT', fakeToken('dop_v1_', 64, HEX)],
    ['Vault token', fakeToken('hvs.', 90)],
    ['Docker Hub PAT', fakeToken('dckr_pat_', 27)],
    ['Shopify token', fakeToken('shpat_', 32, HEX)],
    ['Hugging Face token', fakeToken('hf_', 34)],
  ].map(([name, token]) => ({
    name: name as string,
    text: `echo "using ${token} now"`,
    secret: token as string,
    keeps: ['using ', ' now'],
  })),
  {
    name: 'Slack webhook URL',
    text: `SLACK_WEBHOOK=https://hooks.slack.com/services/T0${fakeToken('', 8, UPPER_ALNUM)}/B0${fakeToken('', 8, UPPER_ALNUM)}/${fakeToken('w', 24)}`,
    secret: fakeToken('w', 24),
    keeps: ['https://hooks.slack.com/services/'],
  },
];

const privateKeys: SecretSample[] = [
  {
    name: 'RSA private key block',
    text: `before\n${pem('RSA PRIVATE KEY', pemBody)}\nafter`,
    secret: pemBody.slice(0, 30),
    keeps: ['before\n', '\nafter'],
  },
  {
    name: 'OpenSSH private key block',
    text: `ssh key:\n${pem('OPENSSH PRIVATE KEY', sshBody)}\ndone`,
    secret: sshBody.slice(0, 30),
    keeps: ['\ndone'],
  },
  {
    name: 'encrypted PKCS#8 block',
    text: pem('ENCRYPTED PRIVATE KEY', pemBody),
    secret: pemBody.slice(-20),
    keeps: [],
  },
  {
    name: 'EC private key cut short by truncation',
    text: `key follows\n-----BEGIN EC PRIVATE KEY-----\n${pemBody.slice(0, 50)}`,
    secret: pemBody.slice(10, 40),
    keeps: ['key follows\n'],
  },
  {
    name: 'PGP private key block',
    text: pem('PGP PRIVATE KEY BLOCK', `Version: GnuPG v2\n\n${pemBody}\n=abcd`),
    secret: pemBody.slice(0, 30),
    keeps: [],
  },
  {
    name: 'PEM in a service account JSON (escaped newlines)',
    text: `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n${pemBody.replaceAll('\n', '\\n')}\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@proj.iam.gserviceaccount.com"}`,
    secret: pemBody.slice(0, 30),
    keeps: ['"type": "service_account"', '"client_email": "ci@proj.iam.gserviceaccount.com"'],
  },
];

const headers: SecretSample[] = [
  {
    name: 'Authorization Bearer',
    text: 'Authorization: Bearer opaqueTok123',
    secret: 'opaqueTok123',
    keeps: ['Authorization: Bearer '],
  },
  {
    name: 'Authorization Basic',
    text: 'Authorization: Basic b3BzOkJhc2ljUHc5',
    secret: 'b3BzOkJhc2ljUHc5',
    keeps: ['Authorization: Basic '],
  },
  {
    name: 'Authorization Token',
    text: 'authorization: Token 0123456789abcdef0123',
    secret: '0123456789abcdef0123',
    keeps: ['authorization: Token '],
  },
  {
    name: 'Bearer in a curl header',
    text: 'curl -H "Authorization: Bearer CurlBearer99" https://api.example.com/v1/me',
    secret: 'CurlBearer99',
    keeps: ['"Authorization: Bearer ', '" https://api.example.com/v1/me'],
  },
  {
    name: 'Cookie header',
    text: 'Cookie: sessionid=CookieSess123; csrftoken=CsrfTok456',
    secret: 'CookieSess123',
    keeps: ['Cookie: '],
  },
  {
    name: 'Set-Cookie header',
    text: 'Set-Cookie: _app_session=SetCookieVal7; Path=/; HttpOnly',
    secret: 'SetCookieVal7',
    keeps: ['Set-Cookie: '],
  },
  { name: 'X-Api-Key header', text: 'X-Api-Key: XApiKeyVal9', secret: 'XApiKeyVal9', keeps: ['X-Api-Key: '] },
];

const structured: SecretSample[] = [
  {
    name: 'escaped JSON inside a log line',
    text: 'msg="payload {\\"user\\":\\"bob\\",\\"password\\":\\"EscJsonPw1\\"}"',
    secret: 'EscJsonPw1',
    keeps: ['\\"user\\":\\"bob\\"', '\\"password\\":\\"'],
  },
  {
    name: 'JSON password',
    text: '{"user": "bob", "password": "JsonPw2"}',
    secret: 'JsonPw2',
    keeps: ['"user": "bob"', '"password": "'],
  },
  {
    name: 'Python dict repr',
    text: "connect kwargs {'host': 'db', 'username': 'bob', 'password': 'PyReprPw3'}",
    secret: 'PyReprPw3',
    keeps: ["'host': 'db'", "'username': 'bob'", "'password': '"],
  },
  {
    name: 'JSON camelCase apiToken',
    text: '{"apiToken":"CamelTok44","retries":3}',
    secret: 'CamelTok44',
    keeps: ['"apiToken":"', '"retries":3'],
  },
  {
    name: 'JSON number under a secret key',
    text: '{"pin": 1, "password": 12345678, "user": "bob"}',
    secret: '12345678',
    keeps: ['"password": ', ', "user": "bob"'],
  },
  {
    name: 'Config.Env with literal quotes (docker inspect)',
    text: '"Env": [\n  "DB_HOST=\\"db\\"",\n  "DB_PASSWORD=\\"lab-secret-pw\\""\n]',
    secret: 'lab-secret-pw',
    keeps: ['"DB_HOST=\\"db\\""', '"DB_PASSWORD=\\"'],
  },
  {
    name: 'Config.Env value with spaces',
    text: '"Env": ["MYSQL_ROOT_PASSWORD=root pw with spaces", "TZ=UTC"]',
    secret: 'root pw with spaces',
    keeps: ['"MYSQL_ROOT_PASSWORD=', '"TZ=UTC"'],
  },
  {
    name: 'env line whose value has literal quotes (env-quotes evidence)',
    text: 'quoted_api_1: Config.Env DB_PASSWORD="EnvQuotesPw"',
    secret: 'EnvQuotesPw',
    keeps: ['quoted_api_1: Config.Env DB_PASSWORD='],
  },
];

export const SECRET_CORPUS: readonly SecretSample[] = [
  ...urls,
  ...commandLines,
  ...keyValues,
  ...tokens,
  ...privateKeys,
  ...headers,
  ...structured,
];
