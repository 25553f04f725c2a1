import { AppError } from '../../src/platform/app-error';
import {
  assertDeliverableUrl,
  isBlockedAddress,
  type LookupAll,
} from '../../src/modules/webhooks/webhook-url-policy';

const publicLookup: LookupAll = async () => [{ address: '93.184.216.34', family: 4 }];
const strict = { allowPrivate: false, requireHttps: false, lookup: publicLookup };

async function reason(url: string, options = strict): Promise<string> {
  try {
    await assertDeliverableUrl(url, options);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const appErr = err as AppError;
    expect(appErr.code).toBe('invalid_webhook_url');
    expect(appErr.status).toBe(400);
    expect(appErr.details).toMatchObject({ field: 'url' });
    return String(appErr.details?.reason);
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('assertDeliverableUrl', () => {
  it('accepts a public https URL and returns it parsed', async () => {
    const url = await assertDeliverableUrl('https://hooks.example.com/tablesync?x=1', strict);
    expect(url.hostname).toBe('hooks.example.com');
    expect(url.searchParams.get('x')).toBe('1');
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://127.8.9.10/hook',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://224.0.0.1/',
    'http://2130706433/', // 127.0.0.1 as one number
    'http://0x7f.1/',
    'http://[::1]/',
    'http://[::]/',
    'http://[fe80::1]/',
    'http://[fd12:3456::1]/',
    'http://[fc00::1]/',
    'http://[ff02::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:10.0.0.1]/',
  ])('refuses the non-public address %s', async (url) => {
    expect(await reason(url)).toBe('private_address');
  });

  it('does not refuse public neighbours of the private ranges', async () => {
    for (const url of ['http://172.32.0.1/', 'http://100.128.0.1/', 'http://8.8.8.8/', 'http://[2606:4700::1111]/']) {
      await expect(assertDeliverableUrl(url, strict)).resolves.toBeInstanceOf(URL);
    }
  });

  it('allows private and loopback addresses when allowPrivate is on', async () => {
    const lookup = jest.fn(publicLookup);
    const loose = { allowPrivate: true, requireHttps: false, lookup };
    for (const url of ['http://127.0.0.1:3000/hook', 'http://[::1]/', 'http://10.0.0.1/', 'http://localhost:8080/']) {
      await expect(assertDeliverableUrl(url, loose)).resolves.toBeInstanceOf(URL);
    }
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses a hostname that resolves to a private address', async () => {
    const lookup: LookupAll = async () => [{ address: '10.0.0.7', family: 4 }];
    expect(await reason('https://internal.example.com/', { ...strict, lookup })).toBe('private_address');
  });

  it('refuses a hostname when any one of its addresses is private', async () => {
    const lookup: LookupAll = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: 'fe80::1', family: 6 },
    ];
    expect(await reason('https://mixed.example.com/', { ...strict, lookup })).toBe('private_address');
  });

  it('asks the lookup for every address of the host', async () => {
    const lookup = jest.fn(publicLookup);
    await assertDeliverableUrl('https://hooks.example.com/', { ...strict, lookup });
    expect(lookup).toHaveBeenCalledWith('hooks.example.com', { all: true, verbatim: true });
  });

  it('reports a host that does not resolve', async () => {
    const lookup: LookupAll = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await reason('https://nope.invalid/', { ...strict, lookup })).toBe('unresolvable');
  });

  it('requires https when asked', async () => {
    expect(await reason('http://hooks.example.com/', { ...strict, requireHttps: true })).toBe('https_required');
    await expect(
      assertDeliverableUrl('https://hooks.example.com/', { ...strict, requireHttps: true }),
    ).resolves.toBeInstanceOf(URL);
  });

  it('refuses other schemes, credentials and garbage', async () => {
    expect(await reason('ftp://hooks.example.com/')).toBe('unsupported_scheme');
    expect(await reason('file:///etc/passwd')).toBe('unsupported_scheme');
    expect(await reason('https://user:pass@hooks.example.com/')).toBe('credentials_in_url');
    expect(await reason('https://user@hooks.example.com/')).toBe('credentials_in_url');
    expect(await reason('not a url')).toBe('malformed');
    expect(await reason('/relative/path')).toBe('malformed');
  });
});

describe('isBlockedAddress', () => {
  it('classifies addresses as a connect-time check would see them', () => {
    expect(isBlockedAddress('127.0.0.1')).toBe(true);
    expect(isBlockedAddress('::ffff:192.168.0.1')).toBe(true);
    expect(isBlockedAddress('fe80::1%eth0')).toBe(true);
    expect(isBlockedAddress('93.184.216.34')).toBe(false);
    expect(isBlockedAddress('2a00:1450:4009:81f::200e')).toBe(false);
    expect(isBlockedAddress('not-an-ip')).toBe(true);
  });
});
