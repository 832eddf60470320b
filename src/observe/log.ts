/**
 * Server log lines in Triton's shape: a severity letter, month+day, time, then the message
 * (`I1121 12:00:00.123456 loading model 'add_sub'`). Verbose lines appear only at --log-verbose >= their level.
 */
export type Severity = 'I' | 'W' | 'E' | 'V';

let verboseLevel = 0;
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function setLogVerbose(level: number): void {
  verboseLevel = level;
}

/** Replaces where lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}

function stamp(): string {
  const now = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const micros = pad(now.getUTCMilliseconds() * 1000, 6);
  return `${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}.${micros}`;
}

function write(severity: Severity, message: string): void {
  sink(`${severity}${stamp()} ${process.pid}] ${message}`);
}

export const log = {
  info: (message: string): void => write('I', message),
  warn: (message: string): void => write('W', message),
  error: (message: string): void => write('E', message),
  verbose: (level: number, message: string): void => {
    if (verboseLevel >= level) write('V', message);
  },
};
