export interface ProgressStream {
  write(text: string): void;
  readonly isTTY: boolean;
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');

function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const [hours, minutes, rest] = [Math.floor(whole / 3600), Math.floor(whole / 60) % 60, whole % 60];
  const two = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(rest)}` : `${minutes}:${two(rest)}`;
}

/**
 * One line on a terminal, redrawn in place: rows answered, rows/s, share of the file and the
 * time left, estimated from the bytes answered. Nothing at all when the stream is not a terminal
 * (a log file or a pipe gets the summary only).
 */
export class Progress {
  private readonly started: number;
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number,
    private readonly fileBytes: number,
    /** Where this run started in the file (a resumed run skips what was answered before). */
    private readonly startByte: number,
  ) {
    this.started = now();
  }

  /** `rows` answered in all, `runRows` of them by this run; at most a few times a second. */
  update(rows: number, runRows: number, byte: number): void {
    if (!this.stream.isTTY) return;
    const now = this.now();
    if (now - this.lastDrawn < 250) return;
    this.lastDrawn = now;
    const seconds = (now - this.started) / 1000;
    const bytesPerSecond = seconds > 0 ? (byte - this.startByte) / seconds : 0;
    const share = this.fileBytes > 0 ? Math.floor((byte / this.fileBytes) * 100) : 100;
    const left = bytesPerSecond > 0 ? duration((this.fileBytes - byte) / bytesPerSecond) : '–';
    const rate = seconds > 0 ? count(runRows / seconds) : '–';
    this.stream.write(`\r\x1b[2K${count(rows)} rows  ${rate} rows/s  ${share} %  ETA ${left}`);
    this.drawn = true;
  }

  /** Clears the line before the summary. */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}
