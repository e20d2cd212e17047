/**
 * CSV as spreadsheets read it (RFC 4180): fields quoted when they hold a comma, quote or line
 * break, quotes doubled, CRLF line ends, and a UTF-8 byte-order mark so that Excel shows Chinese
 * text instead of mojibake. A field starting with = + - @ is prefixed with ' so that a spreadsheet
 * does not run it as a formula (CSV injection: descriptions come from citizens).
 */
export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const field = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${rows.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** Offers text (or a Blob, e.g. a PDF fetched with the token) as a file download. */
export function download(filename: string, text: string | Blob, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
