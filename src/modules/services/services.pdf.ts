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
import { certificateFontkit, cjkFonts } from './services.pdf-fonts.ts';
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
  pdf.registerFontkit(certificateFontkit);
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
