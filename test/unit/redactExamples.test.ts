import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep, redactText } from '../../src/redact.ts';

describe('redactText', () => {
  it.each([
    ['DB_PASSWORD=hunter2', `DB_PASSWORD=${REDACTED}`],
    ['export MYSQL_ROOT_PASSWORD="s3cret value"', `export MYSQL_ROOT_PASSWORD=${REDACTED}`],
    ["api_secret='abc'", `api_secret=${REDACTED}`],
    ['GITHUB_TOKEN=abc123 other=1', `GITHUB_TOKEN=${REDACTED} other=1`],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI', `AWS_SECRET_ACCESS_KEY=${REDACTED}`],
    ['SSH_KEY=AAAAB3Nza', `SSH_KEY=${REDACTED}`],
    ['LDAP_PASSWD=x', `LDAP_PASSWD=${REDACTED}`],
    ['STRIPE_API_KEY_LIVE=sk_live_1', `STRIPE_API_KEY_LIVE=${REDACTED}`],
    ['GOOGLE_CREDENTIALS=/x.json', `GOOGLE_CREDENTIALS=${REDACTED}`],
    ['"Env": ["A=1", "REDIS_PASSWORD=pw"]', `"Env": ["A=1", "REDIS_PASSWORD=${REDACTED}"]`],
    ['{"password": "hunter2", "user": "ops"}', `{"password": "${REDACTED}", "user": "ops"}`],
    ['{"apiToken":"abc"}', `{"apiToken":"${REDACTED}"}`],
    ['token xoxb-1234567890-abcdefghij here', `token ${REDACTED} here`],
    ['xoxp-1-2-3-abcdef', REDACTED],
    ['app xapp-1-A0-123-abcdef', `app ${REDACTED}`],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', REDACTED],
    ['key AKIAIOSFODNN7EXAMPLE used', `key ${REDACTED} used`],
    ['Authorization: Bearer eyJhbGciOi.x.y', `Authorization: Bearer ${REDACTED}`],
    ['curl -H "Authorization: Basic dXNlcjpwYXNz"', `curl -H "Authorization: Basic ${REDACTED}"`],
    [
      'before\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\nafter',
      `before\n${REDACTED}\nafter`,
    ],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow (cut short by truncation', REDACTED],
  ])('redacts %j', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'KEYBOARD=us',
    'PATH=/usr/bin:/bin',
    'HOSTNAME=web-1',
    'KEY_FILE_PATH=/etc/ssl',
    'MONKEY=1',
    '{"user": "ops", "keyboard": "us"}',
    '/var/lib/docker is 93% full',
    '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
    'docker run -e FOO=bar busybox:local',
  ])('leaves %j alone', (input) => {
    expect(redactText(input)).toBe(input);
  });

  it('does not change already redacted text', () => {
    const once = redactText('DB_PASSWORD=x {"secret": "y"}');

    expect(redactText(once)).toBe(once);
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested values and secret-named properties, without touching the input', () => {
    const input = {
      text: 'MYSQL_PASSWORD=pw',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '```\nAPI_KEY=abc\n```' } }],
      password: 'hunter2',
      count: 3,
      nested: { list: ['ok', 'xoxb-123456-abcdef'], flag: true, nothing: null },
    };

    const output = redactDeep(input);

    expect(output).toEqual({
      text: `MYSQL_PASSWORD=${REDACTED}`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`\nAPI_KEY=${REDACTED}\n\`\`\`` } }],
      password: REDACTED,
      count: 3,
      nested: { list: ['ok', REDACTED], flag: true, nothing: null },
    });
    expect(input.password).toBe('hunter2');
  });
});
