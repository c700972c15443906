/**
 * The fields of one CSV record (RFC 4180: comma-separated; a field in double quotes may hold
 * commas, line breaks and `""` for a quote), or why it cannot be read.
 */
export function csvFields(text: string): { fields: string[] } | { error: string } {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      let value = '';
      let from = at + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close < 0) return { error: 'a quoted field is not closed' };
        value += text.slice(from, close);
        if (text[close + 1] === '"') {
          value += '"';
          from = close + 2;
          continue;
        }
        at = close + 1;
        break;
      }
      fields.push(value);
      if (at === text.length) return { fields };
      if (text[at] !== ',')
        return { error: `a quoted field is followed by ${JSON.stringify(text[at])} instead of a comma` };
      at++;
    } else {
      const comma = text.indexOf(',', at);
      const value = text.slice(at, comma < 0 ? text.length : comma);
      if (value.includes('"'))
        return { error: 'a field that is not in double quotes contains a double quote' };
      fields.push(value);
      if (comma < 0) return { fields };
      at = comma + 1;
    }
  }
}

/** One field as CSV: quoted when it holds a comma, a double quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export const csvLine = (fields: readonly string[]) => `${fields.map(csvField).join(',')}\n`;
