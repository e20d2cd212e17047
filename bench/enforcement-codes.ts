// 执法码 / 企业码: QR text size (target ≤ 350 bytes) and offline verification time per code
// (Base45 → zlib → COSE_Sign1 → ES256 over P-256 → CWT claims → expiry → status list), against the
// native ES256 signature check alone on the same bytes in the same run (the floor). Also printed: the
// pure-JS check (@noble/curves) a client without native crypto would run. Phone target ≤ 20 ms per code. Run: ./node_modules/.bin/node bench/enforcement-codes.ts [--codes n] [--smoke]
import { p256 } from '@noble/curves/nist.js';
import { encode } from 'cborg';
import {
  type CodeClaims,
  es256Verify,
  issueCode,
  parseCode,
  signingKeyFrom,
  verifyCode,
} from '../src/modules/enforcement/codes.cose.ts';
import { makeUscc } from '../src/modules/enforcement/uscc.ts';
import { option, size, smokeBanner } from './smoke.ts';

const N = Number(option('codes') ?? size(2_000, 50));
smokeBanner();
const key = signingKeyFrom(new Uint8Array(32).fill(9));
const kid = Buffer.from(key.kid).toString('hex');
const now = 1_790_000_000;
const codes = Array.from({ length: N }, (_, i): CodeClaims => {
  const inspector = i % 2 === 0;
  return {
    iss: 'citybrain',
    sub: inspector
      ? `insp-500155-human_resources_social_security-${i}`
      : makeUscc('91', '500155', `MA${String(i).padStart(6, '0')}`),
    kind: inspector ? 'inspector' : 'enterprise',
    role: inspector ? '500155:human_resources_social_security' : 'B',
    status: 1_000_000 + i,
    iat: now,
    exp: now + 365 * 86_400,
  };
}).map((c) => issueCode(c, key));
const bytes = codes.map((c) => Buffer.byteLength(c));
const revoked = new Set<number>([1_000_001]);
const ctx = {
  keys: (k: string) => (k === kid ? key.publicKey : undefined),
  nowSeconds: now + 60,
  isRevoked: (i: number) => revoked.has(i),
};

const parts = codes.map((c) => parseCode(c));
const sigInputs = parts.map(
  (p) =>
    p && { sig: p.signature, msg: encode(['Signature1', p.protectedBytes, new Uint8Array(0), p.payload]) },
);
for (let i = 0; i < Math.min(N, 50); i++) verifyCode(codes[i] as string, ctx); // warm-up
let t0 = performance.now();
for (const s of sigInputs) if (s && !es256Verify(s.sig, s.msg, key.publicKey)) throw new Error('signature');
const floorMs = (performance.now() - t0) / N;
const sample = sigInputs.slice(0, Math.min(N, 200));
t0 = performance.now();
for (const s of sample) if (s && !p256.verify(s.sig, s.msg, key.publicKey)) throw new Error('signature');
const pureJsMs = (performance.now() - t0) / sample.length;
t0 = performance.now();
let valid = 0;
for (const c of codes) if (verifyCode(c, ctx).valid) valid++;
const verifyMs = (performance.now() - t0) / N;
console.log(`codes: ${N} (half 执法码, half 企业码), ${valid} valid, ${N - valid} revoked`);
console.log(
  `QR text: max ${Math.max(...bytes)} bytes, mean ${(bytes.reduce((a, b) => a + b, 0) / N).toFixed(0)} (target ≤ 350)`,
);
console.log(
  `verify: ${verifyMs.toFixed(3)} ms per code; ES256 check alone ${floorMs.toFixed(3)} ms (baseline)`,
);
console.log(
  `pure-JS ES256 check (@noble/curves, a client without native crypto): ${pureJsMs.toFixed(3)} ms per code`,
);
console.log(
  `ratio: full verification / signature check = ${(verifyMs / floorMs).toFixed(2)} (phone target ≤ 20 ms per code)`,
);
if (!(Math.max(...bytes) <= 350 && valid === N - 1)) process.exitCode = 1;
