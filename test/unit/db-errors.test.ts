import { isDatabaseUnavailable } from '../../src/platform/db/db-errors';

describe('isDatabaseUnavailable: which driver errors are an outage, not the statement’s fault', () => {
  const net = (code: string, fatal?: boolean) => Object.assign(new Error(`connect ${code} 127.0.0.1:3306`), { code, ...(fatal ? { fatal } : {}) });

  it('counts refused, lost and timed-out connections, a shutting-down server and lock wait timeouts', () => {
    expect(isDatabaseUnavailable(net('ECONNREFUSED', true))).toBe(true);
    expect(isDatabaseUnavailable(net('ETIMEDOUT', true))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }))).toBe(true);
    for (const code of ['PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_CON_COUNT_ERROR', 'ER_LOCK_WAIT_TIMEOUT']) {
      expect(isDatabaseUnavailable({ code })).toBe(true);
    }
    // TypeORM wraps the driver's error.
    expect(isDatabaseUnavailable({ message: 'Query failed', driverError: { code: 'ER_SERVER_SHUTDOWN' } })).toBe(true);
  });

  it('does not count a statement’s own errors, nor the same network codes from another client (Redis)', () => {
    expect(isDatabaseUnavailable({ code: 'ER_DUP_ENTRY' })).toBe(false);
    expect(isDatabaseUnavailable({ code: 'ER_DATA_TOO_LONG' })).toBe(false);
    expect(isDatabaseUnavailable({ code: 'ER_NET_PACKET_TOO_LARGE', fatal: true })).toBe(false);
    expect(isDatabaseUnavailable(net('ECONNREFUSED'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('Pool is closed.'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
