import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('config', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(path.resolve('.citybrain'));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('reads the environment and lets flags win', () => {
    const config = loadConfig(
      { PORT: '9000', CITYBRAIN_DATA_DIR: '/tmp/x', CITYBRAIN_DATABASE_URL: 'postgres://h/db' },
      { port: 9100 },
    );
    expect(config.port).toBe(9100);
    expect(config.dataDir).toBe('/tmp/x');
    expect(config.databaseUrl).toBe('postgres://h/db');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });

  it.each([
    [{ PORT: 'abc' }, /port \(PORT\).*got "abc"/],
    [{ PORT: '70000' }, /port \(PORT\): .*65535/],
    [
      { CITYBRAIN_DATABASE_URL: 'mysql://x' },
      /databaseUrl \(CITYBRAIN_DATABASE_URL\): must start with postgres/,
    ],
    [{ CITYBRAIN_LOG_LEVEL: 'loud' }, /logLevel \(CITYBRAIN_LOG_LEVEL\).*"fatal"/],
    [{ CITYBRAIN_TOKEN_SECRET: 'short' }, /tokenSecret \(CITYBRAIN_TOKEN_SECRET\): must be at least 32/],
    [{ CITYBRAIN_ADMIN_PASSWORD: 'abc' }, /adminPassword \(CITYBRAIN_ADMIN_PASSWORD\): must be at least 8/],
    [{ CITYBRAIN_OIDC_ISSUER: 'not a url' }, /oidcIssuer \(CITYBRAIN_OIDC_ISSUER\)/],
    [{ CITYBRAIN_MQTT_URL: 'http://x' }, /mqttUrl \(CITYBRAIN_MQTT_URL\): must start with mqtt:\/\//],
    [{ CITYBRAIN_NATS_URL: 'x:4222' }, /natsUrl \(CITYBRAIN_NATS_URL\): must start with nats:\/\//],
    [{ MQTT_PORT: '-1' }, /mqttPort \(MQTT_PORT\)/],
  ])('refuses %o naming the key and what is allowed', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every bad key at once', () => {
    expect(() => loadConfig({ PORT: 'x', CITYBRAIN_LOG_LEVEL: 'y' })).toThrow(
      /PORT[\s\S]*CITYBRAIN_LOG_LEVEL/,
    );
  });
});
