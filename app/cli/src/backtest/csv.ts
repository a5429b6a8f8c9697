// A price path from CSV: a header `timestamp,close` (any other columns are ignored), then one row
// per close with unix seconds (or an ISO 8601 date-time) and a positive price. Every mistake is
// reported with its line number.
import type { PricePoint } from './paths';

export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

/** The highest close accepted: the feed's 10^-8 integer must fit an i64 with room to spare. */
const MAX_CLOSE = 1e9;

function parseTimestamp(text: string, line: number): number {
  if (text === '') throw new PathError(`line ${line}: the timestamp is empty`);
  if (/^\d+$/.test(text)) {
    const t = Number(text);
    // Milliseconds would read as dates thousands of years ahead: refuse them by name.
    if (t > 1e11) throw new PathError(`line ${line}: timestamp ${text} looks like milliseconds; give unix seconds`);
    return t;
  }
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ]([\d:.]+)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (iso) {
    // A date-time without a zone is UTC (never the machine's local time).
    const ms = Date.parse(iso[2] === undefined ? iso[1]! : `${iso[1]}T${iso[2]}${iso[3] ?? 'Z'}`);
    if (Number.isFinite(ms)) {
      if (ms % 1000 !== 0) throw new PathError(`line ${line}: timestamp ${text} is not a whole second`);
      return ms / 1000;
    }
  }
  throw new PathError(`line ${line}: timestamp "${text}" is neither unix seconds nor an ISO 8601 date-time`);
}

function parseClose(text: string, line: number): number {
  const v = /^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v) || v <= 0) throw new PathError(`line ${line}: close "${text}" is not a positive number`);
  if (v > MAX_CLOSE) throw new PathError(`line ${line}: close ${text} is above ${MAX_CLOSE}`);
  if (v < 1e-8) throw new PathError(`line ${line}: close ${text} is below the feed's resolution (1e-8)`);
  return v;
}

/** The path in a CSV text: at least two rows, timestamps strictly increasing. */
export function parsePriceCsv(text: string): PricePoint[] {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new PathError('the file is empty: expected a header "timestamp,close"');
  const header = lines[headerAt]!.split(',').map((h) => h.trim().toLowerCase());
  const ti = header.indexOf('timestamp');
  const ci = header.indexOf('close');
  if (ti < 0 || ci < 0) throw new PathError(`line ${headerAt + 1}: the header must name the columns timestamp and close, got "${lines[headerAt]!.trim()}"`);
  const points: PricePoint[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length !== header.length) throw new PathError(`line ${line}: expected ${header.length} columns, got ${cells.length}`);
    const time = parseTimestamp(cells[ti]!, line);
    const price = parseClose(cells[ci]!, line);
    const prev = points[points.length - 1];
    if (prev && time <= prev.time) throw new PathError(`line ${line}: timestamp ${cells[ti]} is not after the previous row's (${prev.time})`);
    points.push({ time, price });
  }
  if (points.length < 2) throw new PathError(`a path needs at least 2 rows, the file has ${points.length}`);
  return points;
}
