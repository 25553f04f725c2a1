import { ConfigError, loadConfig } from '../../src/platform/config';

describe('config: HOST (the bind address)', () => {
  it('defaults to 0.0.0.0 (CONTRACT §1) and takes IPv4, IPv6 and host names', () => {
    expect(loadConfig({}).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
    expect(loadConfig({ HOST: 'localhost' }).host).toBe('localhost');
  });

  it.each(['not a host', 'http://127.0.0.1', '127.0.0.1:3000/x'])('rejects HOST=%s naming the variable', (value) => {
    expect(() => loadConfig({ HOST: value })).toThrow(ConfigError);
    expect(() => loadConfig({ HOST: value })).toThrow(/Invalid env var HOST/);
  });
});
