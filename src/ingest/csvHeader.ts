/**
 * Reads the header line of a CSV file without loading the file, so that a file with the wrong
 * columns is refused before anything is stored.
 */
import { open } from 'node:fs/promises';
import { invalid } from '../errors/UptakeError.ts';

/** Split one CSV line into fields (RFC 4180 quoting). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The column names of a CSV file's header, trimmed and lower-cased; refuses an empty file. */
export async function readCsvHeader(file: string): Promise<string[]> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw invalid(
      `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : 'cannot be read'}; check the path`,
    );
  }
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    if (bytesRead === 0) throw invalid(`${file}: the file is empty; expected a header row`);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // the first line ends with LF, CRLF, or CR (a file with CR line ends)
    const first = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
    return splitCsvLine(first).map((c) => c.trim().toLowerCase());
  } finally {
    await fh.close();
  }
}
