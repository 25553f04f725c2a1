import { randomBytesPooled } from '../../src/platform/ids';
import { SecretBox } from '../../src/platform/secret-box';
import { newManageToken } from '../../src/modules/diary/manage-tokens';

describe('pooled CSPRNG bytes (ids.ts randomBytesPooled)', () => {
  it('gives fresh bytes of the asked length, each draw its own copy, across refills of the pool', () => {
    const seen = new Set<string>();
    const draws: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const b = randomBytesPooled(24);
      expect(b.length).toBe(24);
      draws.push(b);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(2000); // 48,000 bytes: the 4 KiB pool refilled a dozen times, no byte handed out twice
    const copy = Buffer.from(draws[0]!);
    draws[1]!.fill(0);
    expect(draws[0]).toEqual(copy);
    expect(randomBytesPooled(0).length).toBe(0);
    expect(() => randomBytesPooled(257)).toThrow(RangeError);
    expect(() => randomBytesPooled(-1)).toThrow(RangeError);
  });

  it('seals with a fresh nonce each time and opens again; manage tokens are distinct 32-character tokens', () => {
    const box = new SecretBox(Buffer.alloc(32, 7));
    const sealed = Array.from({ length: 500 }, () => box.encrypt('the token'));
    expect(new Set(sealed.map((s) => s.split(':')[1])).size).toBe(500);
    for (const s of sealed.slice(0, 20)) expect(box.decrypt(s)).toBe('the token');
    const tokens = Array.from({ length: 500 }, () => newManageToken().token);
    expect(new Set(tokens).size).toBe(500);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
