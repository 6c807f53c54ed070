import { describe, expect, it } from 'vitest';
import { isSecretName } from '../../src/redact/secretName.ts';
import { REDACTED, redactDeep, redactText } from '../../src/redact.ts';
import { fakeToken, SECRET_CORPUS } from '../support/secretCorpus.ts';
import { fixtureText } from './checks/fixtures.ts';

const hex64 = fakeToken('', 64, '0123456789abcdef');

describe('redactText', () => {
  it('has a corpus of at least 40 secret shapes', () => {
    expect(SECRET_CORPUS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(SECRET_CORPUS.map((sample) => sample.name)).size).toBe(SECRET_CORPUS.length);
  });

  it.each(SECRET_CORPUS.map((sample) => [sample.name, sample] as const))('redacts %s', (_name, sample) => {
    expect(sample.text).toContain(sample.secret);

    const output = redactText(sample.text);

    expect(output).not.toContain(sample.secret);
    expect(output).toContain(REDACTED);
    for (const kept of sample.keeps) expect(output).toContain(kept);
  });

  it.each(SECRET_CORPUS.map((sample) => [sample.name, sample] as const))('is stable on %s', (_name, sample) => {
    const once = redactText(sample.text);

    expect(redactText(once)).toBe(once);
  });

  it.each([
    [
      'postgres URL',
      'DATABASE_URL=postgres://app:S3cret@db:5432/app',
      `DATABASE_URL=postgres://app:${REDACTED}@db:5432/app`,
    ],
    ['mysql -p', 'mysql -u root -pS3cret db', `mysql -u root -p${REDACTED} db`],
    ['YAML pair', 'password: hunter2', `password: ${REDACTED}`],
    ['ini pair', 'aws_secret_access_key = wJalrXUtnFEMI', `aws_secret_access_key = ${REDACTED}`],
    ['JSON keeps quotes', '{"password": "x", "user": "ops"}', `{"password": "${REDACTED}", "user": "ops"}`],
    ['escaped JSON', '{\\"password\\":\\"hunter2\\"}', `{\\"password\\":\\"${REDACTED}\\"}`],
    ['Python repr', "{'password': 'x'}", `{'password': '${REDACTED}'}`],
    ['literal quotes in Config.Env', '"DB_PASSWORD=\\"pw\\""', `"DB_PASSWORD=\\"${REDACTED}\\""`],
    ['already redacted env-quotes evidence', `DB_PASSWORD="${REDACTED}"`, `DB_PASSWORD="${REDACTED}"`],
    ['Authorization header', 'Authorization: Bearer abc.def.ghi', `Authorization: Bearer ${REDACTED}`],
    ['JSON Authorization', '{"Authorization": "Basic dXNlcjpwYXNz"}', `{"Authorization": "Basic ${REDACTED}"}`],
    [
      'webhook URL',
      'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX',
      `https://hooks.slack.com/services/${REDACTED}`,
    ],
  ])('writes %s as expected', (_name, input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'docker run -d -p 8080:80 --name web nginx:1.25',
    'docker run -p8080:80 nginx',
    'docker run -p 127.0.0.1:5432:5432 -e POSTGRES_USER=app -e POSTGRES_DB=app postgres:16',
    'docker run -v mysql-data:/var/lib/mysql -p3306:3306 mysql:8.0',
    'docker run -v mysql-data:/var/lib/mysql -p127.0.0.1:3306:3306 mysql:8.0',
    'LANG=C.UTF-8',
    'LC_ALL=en_US.UTF-8',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME=/root',
    'PWD=/app',
    'OLDPWD=/',
    `nginx@sha256:${hex64}`,
    `"Image": "sha256:${hex64}"`,
    `container ${hex64} exited (137)`,
    `/var/lib/docker/volumes/${hex64}/_data`,
    'password reset email sent to alice@example.com',
    'sudo: a password is required',
    'FATAL:  password authentication failed for user "app"',
    'KEY_FILE=/etc/ssl/private/server.key',
    'POSTGRES_PASSWORD_FILE=/run/secrets/db_password',
    'TOKENIZERS_PARALLELISM=false',
    'MAX_TOKENS=4096',
    'MAX_KEYS=1000',
    'PUBLIC_KEY=/etc/ssh/ssh_host_ed25519_key.pub',
    `STRIPE_PUBLISHABLE_KEY=${fakeToken('pk_live_', 24)}`,
    'routing_key: orders.created',
    '- key: app.kubernetes.io/name',
    'auth_method: scram-sha-256',
    'AUTH_ENABLED=true',
    'secretName: web-tls',
    'PASSENGER_APP_ENV=production',
    'BYPASS_CACHE=1',
    'redis://cache:6379/0',
    'postgres://db:5432/app',
    'http://localhost:8080/health',
    'git@github.com:acme/api.git',
    'mysql -u root -p appdb',
    'mysqldump --single-transaction -P 3306 -u root app',
    'ssh -p 2222 ops@web-1',
    'docker login --password-stdin -u ops registry.example.com',
    'mongod --auth --bind_ip_all',
    '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
    '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----',
    '2024-05-01T10:00:00.123Z INFO [main] Started App in 3.2 seconds (process running for 3.9)',
    'Accepted publickey for ops from 10.0.0.5 port 52144 ssh2: ED25519 SHA256:Yq1UAkq3cOq6XUxHkVF0Wg',
    '10.0.0.7 - - [01/May/2024:10:00:00 +0000] "GET /api/v1/users?page=2&per_page=50 HTTP/1.1" 200 512',
    'Token bucket refilled: 10 tokens available',
    'Secret rotation scheduled for 2024-06-01',
    'at org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:346)',
    'request_id=550e8400-e29b-41d4-a716-446655440000 status=200',
    'task-runner-sk-worker-2 started',
  ])('leaves %j alone', (input) => {
    expect(redactText(input)).toBe(input);
  });

  it('redacts the captured inspect JSON of a container with a quoted secret, keeping its other env', () => {
    const inspect = fixtureText('env-quotes/inspect-quoted_api_1.json');

    const output = redactText(inspect);

    expect(inspect).toContain('lab-secret-pw');
    expect(output).not.toContain('lab-secret-pw');
    expect(output).toContain(`"DB_PASSWORD=\\"${REDACTED}\\""`);
    expect(output).toContain('"DB_HOST=\\"db\\""');
    expect(output).toContain('"LANG=C.UTF-8"');
  });
});

describe('isSecretName', () => {
  it.each([
    'DB_PASSWORD',
    'MYSQL_ROOT_PASSWORD',
    'PGPASSWORD',
    'DB_PASS',
    'MYSQL_PWD',
    'apiToken',
    'x-api-key',
    'X-Auth-Token',
    'Authorization',
    'Set-Cookie',
    'aws_secret_access_key',
    'AWS_ACCESS_KEY_ID',
    'client_secret',
    'SSH_KEY',
    'APP_KEY',
    'STRIPE_API_KEY_LIVE',
    'privateKey',
    'spring.datasource.password',
    'GOOGLE_CREDENTIALS',
    'REDIS_AUTH',
    '--requirepass',
    'VAULT_SECRET_ID',
  ])('%s names a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'PATH',
    'PWD',
    'OLDPWD',
    'KEYBOARD',
    'MONKEY',
    'KEY_FILE',
    'KEY_FILE_PATH',
    'POSTGRES_PASSWORD_FILE',
    'TOKEN_URL',
    'TOKENIZERS_PARALLELISM',
    'MAX_TOKENS',
    'MAX_KEYS',
    'PUBLIC_KEY',
    'PRIMARY_KEY',
    'routing_key',
    'key',
    'auth_method',
    'AUTH_ENABLED',
    'author',
    'secretName',
    'PASSENGER_APP_ENV',
    'BYPASS_CACHE',
    'password-stdin',
    'COOKIE_DOMAIN',
    'SandboxKey',
  ])('%s does not', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe('redactDeep', () => {
  it('redacts whole values under secret keys and secrets inside other strings', () => {
    const input = {
      headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k', Accept: 'application/json' },
      env: ['DATABASE_URL=postgres://app:pw@db/app', 'LANG=C.UTF-8'],
      clientSecret: 'cs',
      passwordFile: '/run/secrets/pw',
    };

    const output = redactDeep(input);

    expect(output).toEqual({
      headers: { Authorization: REDACTED, 'X-Api-Key': REDACTED, Accept: 'application/json' },
      env: [`DATABASE_URL=postgres://app:${REDACTED}@db/app`, 'LANG=C.UTF-8'],
      clientSecret: REDACTED,
      passwordFile: '/run/secrets/pw',
    });
  });
});
