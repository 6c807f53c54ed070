import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../src/log.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('test', 'info', destination), lines };
}

describe('createLogger', () => {
  it.each([
    ['a token', { token: 'xoxb-1234-secret' }],
    ['a bot token in options', { options: { botToken: 'xoxb-1234-secret' } }],
    ['an app token', { env: { SLACK_APP_TOKEN: 'xapp-1-secret' } }],
    ['a signing secret', { signingSecret: 'shh-secret' }],
    ['a password', { redis: { password: 'hunter2-secret' } }],
    ['an Authorization header', { headers: { authorization: 'Bearer xoxb-secret' } }],
    ['the header of a failed Web API call', { err: { config: { headers: { Authorization: 'Bearer xoxb-secret' } } } }],
    ['a request body', { req: { body: 'token=xoxb-secret&text=diskcheck' } }],
    ['a job payload', { job: { payload: { responseUrl: 'https://hooks.slack.com/secret' } } }],
    ['the embedded Redis URL', { redisUrl: '/tmp/x/redis.sock?password=secret' }],
    ['a private key path', { host: { privateKey: '/keys/id_secret' } }],
  ])('never writes %s', (_what, fields) => {
    // Arrange
    const { logger, lines } = capture();
    // Act
    logger.warn(fields, 'something happened');
    // Assert
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('secret');
    expect(lines[0]).toContain(REDACTED);
  });

  it.each([
    ['host output in a field', { stderr: 'psql: error: connection to postgres://app:S3cretPw@db failed' }],
    [
      'an error quoting a URL password',
      { err: new Error('while calling https://deploy:S3cretPw@registry.example.com') },
    ],
    ['a message with a CLI password', { line: 'mysqldump -u root -pS3cretPw app' }],
  ])('redacts secret shapes in %s, as Slack output is', (_what, fields) => {
    const { logger, lines } = capture();

    logger.warn(fields, 'host said something');

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('S3cretPw');
  });

  it('keeps what is not a secret', () => {
    const { logger, lines } = capture();

    logger.warn({ host: 'web-1', jobId: 'rq-123' }, 'host unreachable');

    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ host: 'web-1', jobId: 'rq-123', msg: 'host unreachable' });
  });
});
