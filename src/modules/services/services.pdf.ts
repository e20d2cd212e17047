import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fontkit from '@pdf-lib/fontkit';
import {
  type Color,
  PDFDict,
  PDFDocument,
  type PDFFont,
  PDFHexString,
  PDFName,
  type PDFPage,
  rgb,
  StandardFonts,
} from 'pdf-lib';
import QRCode from 'qrcode';
import type { CertificateClaims } from './services.schema.ts';

/** The PDF document-information entry that carries the QR text (also attached as certificate.jws). */
export const PDF_QR_ENTRY = 'CitybrainCertificate';

/** Chinese names the claims carry only as codes, looked up when the PDF is drawn. */
export interface CertificateNames {
  /** The item's name (事项), e.g. 出生医学证明办理. */
  itemZh?: string;
  itemEn?: string;
  /** The bundle's name, e.g. 新生儿出生一件事. */
  bundleZh?: string;
  /** The issuing department's name, e.g. 重庆市卫生健康委员会. */
  issuerZh?: string;
}

/**
 * Noto Sans Hans (Regular and Bold, GB 2312 set, SIL OFL 1.1) from the npm package
 * `@embedpdf/fonts-sc`. The files are 8 MB each: they are read and parsed once per process, and
 * every PDF embeds only the glyphs it draws (a subset).
 */
const FONT_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')),
  '..',
  'fonts',
);
type FontkitFont = ReturnType<typeof fontkit.create>;
let fonts: { regular: Uint8Array; bold: Uint8Array } | undefined;
const parsed = new WeakMap<Uint8Array, FontkitFont>();

function cjkFonts(): { regular: Uint8Array; bold: Uint8Array } {
  fonts ??= {
    regular: fs.readFileSync(path.join(FONT_DIR, 'NotoSansHans-Regular.otf')),
    bold: fs.readFileSync(path.join(FONT_DIR, 'NotoSansHans-Bold.otf')),
  };
  return fonts;
}

/**
 * fontkit for pdf-lib, keeping each parsed font (pdf-lib parses the font file again for every
 * document otherwise) and mending its CFF subsets: `@pdf-lib/fontkit` 1.1.1 writes the font's
 * length into the CFF header's offSize byte (valid: 1–4; fixed upstream in fontkit 1.9), and
 * FreeType (poppler, Chrome's PDFium) then refuses the whole font and draws no Chinese at all.
 */
const cachingFontkit = {
  create(data: Uint8Array, postscriptName?: string): FontkitFont {
    let font = parsed.get(data);
    if (!font) {
      font = fontkit.create(data, postscriptName);
      const createSubset = font.createSubset.bind(font);
      font.createSubset = () => mendCffHeader(createSubset());
      parsed.set(data, font);
    }
    return font;
  },
};

type Subset = ReturnType<FontkitFont['createSubset']>;
/** The subset's encoded bytes with the CFF header's offSize set to 4 when it is out of range. */
function mendCffHeader(subset: Subset): Subset {
  const encodeStream = subset.encodeStream.bind(subset);
  subset.encodeStream = () => {
    const out = new PassThrough();
    const parts: Uint8Array[] = [];
    // restructure's EncodeStream is a Node stream (its declared type lists data and end only).
    (encodeStream() as unknown as NodeJS.EventEmitter)
      .on('data', (b: Uint8Array) => parts.push(b))
      .on('end', () => {
        const bytes = Buffer.concat(parts);
        // A CFF header: major 1, minor, hdrSize, offSize (≤ 4).
        if (bytes[0] === 1 && (bytes[3] ?? 0) > 4) bytes[3] = 4;
        out.end(bytes);
      })
      .on('error', (err: Error) => out.destroy(err));
    return out as unknown as ReturnType<Subset['encodeStream']>;
  };
  return subset;
}

interface Fonts {
  latin: PDFFont;
  latinBold: PDFFont;
  cjk: PDFFont;
  cjkBold: PDFFont;
}

/** Draws a line of mixed text: printable ASCII in Helvetica, the rest (Chinese) in Noto Sans Hans. */
function drawMixed(
  page: PDFPage,
  text: string,
  at: { x: number; y: number; size: number; bold?: boolean; color?: Color },
  f: Fonts,
): number {
  let x = at.x;
  for (const run of text.match(/[\x20-\x7e]+|[^\x20-\x7e]+/g) ?? []) {
    const latin = /^[\x20-\x7e]/.test(run);
    const font = latin ? (at.bold ? f.latinBold : f.latin) : at.bold ? f.cjkBold : f.cjk;
    page.drawText(run, { x, y: at.y, size: at.size, font, color: at.color ?? rgb(0, 0, 0) });
    x += font.widthOfTextAtSize(run, at.size);
  }
  return x;
}

/**
 * The certificate as a one-page A4 PDF: its claims in Chinese with English beside (Chinese in a
 * subset of Noto Sans Hans, Latin in Helvetica), the QR code, and the QR text attached
 * (`certificate.jws`) and in the document information (`/CitybrainCertificate`) so a program
 * reads it back without scanning.
 */
export async function renderPdf(
  claims: CertificateClaims,
  jws: string,
  names: CertificateNames = {},
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(cachingFontkit as unknown as typeof fontkit);
  const issued = new Date(claims.issuedAt);
  pdf.setTitle(`${claims.title} ${claims.number}`);
  pdf.setSubject(`${claims.title}（${claims.holder.name}${claims.subject ? `，${claims.subject}` : ''}）`);
  pdf.setAuthor(names.issuerZh ? `${names.issuerZh}（${claims.issuer}）` : claims.issuer);
  pdf.setProducer('citybrain');
  pdf.setCreator('citybrain services');
  pdf.setCreationDate(issued);
  pdf.setModificationDate(issued);
  pdf.context
    .lookup(pdf.context.trailerInfo.Info, PDFDict)
    .set(PDFName.of(PDF_QR_ENTRY), PDFHexString.fromText(jws));
  await pdf.attach(Buffer.from(jws), 'certificate.jws', {
    mimeType: 'application/jose',
    description: 'The certificate claims signed (compact JWS, EdDSA); verify against /api/v1/services/keys',
    creationDate: issued,
    modificationDate: issued,
  });
  const page = pdf.addPage([595.28, 841.89]);
  const { regular, bold } = cjkFonts();
  const f: Fonts = {
    latin: await pdf.embedFont(StandardFonts.Helvetica),
    latinBold: await pdf.embedFont(StandardFonts.HelveticaBold),
    cjk: await pdf.embedFont(regular, { subset: true }),
    cjkBold: await pdf.embedFont(bold, { subset: true }),
  };
  const grey = rgb(0.35, 0.35, 0.35);
  drawMixed(page, '电子证照  Electronic certificate', { x: 56, y: 770, size: 22, bold: true }, f);
  drawMixed(page, claims.title, { x: 56, y: 736, size: 18, bold: true }, f);
  drawMixed(page, claims.titleEn, { x: 56, y: 714, size: 13, color: grey }, f);
  const item = names.itemZh ? `${names.itemZh}${names.itemEn ? ` ${names.itemEn}` : ''}` : claims.item;
  const lines: [string, string, string][] = [
    ['证照编号', 'Certificate number', claims.number],
    ['办理事项', 'Item', item],
    ['一件事', 'Bundle', names.bundleZh ? `${names.bundleZh} (${claims.bundle})` : claims.bundle],
    ['申请编号', 'Application', claims.application],
    ['持证人', 'Holder', `${claims.holder.name} (${claims.holder.id})`],
    ...(claims.subject ? [['证照对象', 'Subject', claims.subject] as [string, string, string]] : []),
    ['签发部门', 'Issued by', names.issuerZh ? `${names.issuerZh} (${claims.issuer})` : claims.issuer],
    ['签发时间', 'Issued at', claims.issuedAt],
    ['有效期自', 'Valid from', claims.validFrom],
    ['有效期至', 'Valid until', claims.validUntil ?? '长期 no expiry'],
  ];
  lines.forEach(([zh, en, value], i) => {
    const y = 670 - i * 26;
    drawMixed(page, zh, { x: 56, y, size: 11, bold: true }, f);
    page.drawText(en, { x: 56, y: y - 10, size: 7, font: f.latin, color: grey });
    drawMixed(page, value, { x: 160, y, size: 11 }, f);
  });
  const png = await QRCode.toBuffer(jws, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 4 });
  const image = await pdf.embedPng(png);
  page.drawImage(image, { x: 56, y: 130, width: 260, height: 260 });
  const note = [
    '二维码内容为经平台密钥签名的证照信息（compact JWS, EdDSA），可在线或离线核验。',
    'The QR code holds the claims signed with the platform key (compact JWS, EdDSA).',
    'Verify: POST /api/v1/services/certificates/verify {"qr": "<QR text>"}',
    'or check the signature offline with the key published at GET /api/v1/services/keys.',
  ];
  note.forEach((t, i) => {
    drawMixed(page, t, { x: 56, y: 110 - i * 15, size: 8.5, color: grey }, f);
  });
  return pdf.save();
}
