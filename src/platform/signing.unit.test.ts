import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { canonicalJson, ed25519Jwk, ed25519KeyFrom, signJws, verifyJws } from './signing.ts';

describe('platform Ed25519 signing', () => {
  const seed = new Uint8Array(32).fill(7);
  const key = ed25519KeyFrom(seed, 'test-v1');

  it('derives one key per seed and label', () => {
    expect(ed25519KeyFrom(seed, 'test-v1').kid).toBe(key.kid);
    expect(ed25519KeyFrom(seed, 'other-v1').kid).not.toBe(key.kid);
    expect(ed25519Jwk(key)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: key.kid });
  });

  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: '中' } })).toBe(
      '{"a":{"c":"中","d":[2,{"e":0,"f":1}]},"b":1}',
    );
  });

  it('signs a JWS that jose verifies with the published JWK; tampering is caught', async () => {
    const jws = signJws({ no: 'X-1', name: '陈语桐' }, key, 'test+jws');
    const jwk = await importJWK(ed25519Jwk(key), 'EdDSA');
    const { payload } = await compactVerify(jws, jwk);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ name: '陈语桐', no: 'X-1' });
    const keys = (kid: string) => (kid === key.kid ? key.publicKey : undefined);
    expect(verifyJws(jws, keys, 'test+jws')).toMatchObject({ valid: true, payload: { no: 'X-1' } });
    const [h, , s] = jws.split('.');
    const forged = `${h}.${Buffer.from('{"name":"陈语桐","no":"X-2"}').toString('base64url')}.${s}`;
    expect(verifyJws(forged, keys, 'test+jws')).toEqual({ valid: false, reason: 'bad_signature' });
    expect(verifyJws('not a jws', keys, 'test+jws')).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyJws(jws, keys, 'other+jws')).toEqual({ valid: false, reason: 'malformed' });
    expect(verifyJws(jws, () => undefined, 'test+jws')).toEqual({ valid: false, reason: 'unknown_key' });
  });
});
