// Plain-text tables and progress lines for the terminal.

export type Align = 'left' | 'right';

/** A table with a header row; numeric-looking columns align right. */
export function table(header: string[], rows: string[][], align?: Align[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const al = align ?? header.map((_, i) => (rows.length > 0 && rows.every((r) => /^[-+]?[\d.,%x]+$|^-$/.test(r[i] ?? '')) ? 'right' : 'left'));
  const line = (cells: string[]) =>
    cells.map((c, i) => (al[i] === 'right' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Key/value lines, keys padded to one column. */
export function fields(pairs: [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

/** Progress of a long operation on stderr (a spinner on a terminal, plain lines otherwise). */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private text = '';
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  step(text: string) {
    this.text = text;
    if (!this.stream.isTTY) {
      this.stream.write(`… ${text}\n`);
      return;
    }
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), 80);
      this.timer.unref();
    }
    this.draw();
  }

  private draw() {
    const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
    this.stream.write(`\r\x1b[2K${frames[this.frame++ % frames.length]} ${this.text}`);
  }

  done(text?: string) {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.stream.write('\r\x1b[2K');
    }
    if (text) this.stream.write(`✓ ${text}\n`);
  }
}
