/**
 * Reading a rejects file back (`line,reason,row`, as `loadStaged` writes it: the line a number,
 * the reason and the verbatim row quoted, `""` for a quote, a row may span lines), streamed: one
 * record at a time however many the file holds.
 */
import { createReadStream } from 'node:fs';

export interface RejectedRow {
  line: number;
  row: string;
}

/**
 * The records of the rejects file `path`, in file order (ascending line within one input file);
 * nothing when the file cannot be read (it is kept outside the store and may have been moved).
 */
export async function* readRejectsFile(path: string): AsyncGenerator<RejectedRow, void> {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let header = true;
  let stream: AsyncIterable<string>;
  try {
    stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  } catch {
    return;
  }
  try {
    for await (const chunk of stream) {
      let i = 0;
      while (i < chunk.length) {
        if (quoted) {
          const q = chunk.indexOf('"', i);
          if (q < 0) {
            field += chunk.slice(i);
            break;
          }
          field += chunk.slice(i, q);
          quoted = false;
          afterQuote = true;
          i = q + 1;
          continue;
        }
        const c = chunk[i]!;
        if (c === '"') {
          // `""` inside a quoted field is a quote: the field goes on
          if (afterQuote) field += '"';
          quoted = true;
          afterQuote = false;
        } else if (c === ',') {
          fields.push(field);
          field = '';
          afterQuote = false;
        } else if (c === '\n') {
          fields.push(field);
          field = '';
          afterQuote = false;
          if (!header && fields.length === 3 && /^\d+$/.test(fields[0]!))
            yield { line: Number(fields[0]), row: fields[2]! };
          header = false;
          fields.length = 0;
        } else {
          field += c;
          afterQuote = false;
        }
        i++;
      }
    }
  } catch {
    // unreadable (missing, a folder): the rows are then not shown, the reasons still are
  }
}
