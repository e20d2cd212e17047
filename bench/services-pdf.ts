/**
 * Integrated services: certificate PDFs drawn per second (pdf-lib, one A4 page, the QR code, the
 * JWS attached) — the first one apart (it loads the fonts), then the mean of the rest, and the size.
 *
 *   ./node_modules/.bin/node bench/services-pdf.ts [--pdfs 200] [--smoke]
 */
import { parseArgs } from 'node:util';
import { renderPdf } from '../src/modules/services/services.pdf.ts';
import type { CertificateClaims } from '../src/modules/services/services.schema.ts';
import { size, smokeBanner } from './smoke.ts';

const { values: args } = parseArgs({
  options: {
    pdfs: { type: 'string', default: size('200', '5') },
    smoke: { type: 'boolean', default: false },
  },
});
smokeBanner();
const N = Number(args.pdfs);

const claims: CertificateClaims = {
  v: 1,
  number: 'SV-20261202-000001',
  bundle: 'newborn@1',
  application: '7d3c1f9e-2b4a-4c55-9f0e-3a1b2c3d4e5f',
  item: 'birth-certificate',
  title: '出生医学证明',
  titleEn: 'Birth medical certificate',
  holder: { id: 'citizen.liu', name: '刘晓雯' },
  subject: '陈语桐',
  issuer: '50:health',
  issuedAt: '2026-12-02T02:00:00.000Z',
  validFrom: '2026-12-02',
  validUntil: null,
};
// A JWS of a realistic length (the QR's text); its content does not matter for drawing.
const jws = `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${'x'.repeat(86)}`;

let t = performance.now();
const names = {
  itemZh: '出生医学证明办理',
  itemEn: 'Birth medical certificate',
  bundleZh: '新生儿出生一件事',
  issuerZh: '重庆市卫生健康委员会',
};
const first = await renderPdf(claims, jws, names);
const firstMs = performance.now() - t;
t = performance.now();
for (let i = 0; i < N; i++)
  await renderPdf({ ...claims, number: `SV-20261202-${String(i).padStart(6, '0')}` }, jws, names);
const each = (performance.now() - t) / N;
console.log(
  JSON.stringify({
    pdfs: N,
    firstMs: Math.round(firstMs),
    meanMs: Math.round(each * 10) / 10,
    perSecond: Math.round(1000 / each),
    bytes: first.length,
  }),
);
