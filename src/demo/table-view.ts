/** Where the demo writes: process.stdout, or a fake in tests. */
export interface TerminalOut {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Shows the live `kubectl get` table under a one-line status. */
export interface TableView {
  /** `state` is what the status line says that matters (e.g. "2 of 4 settled"), without clocks. */
  show(table: string, status: string, state?: string): void;
}

const CURSOR_UP = (n: number): string => `\x1b[${String(n)}A\r`;
const CLEAR_TO_END = '\x1b[0J';

function tableLines(table: string): string[] {
  const text = table.trimEnd();
  return text === '' ? [] : text.split('\n');
}

/**
 * On a terminal: redraws the status and the table in place (cursor up over the previous frame,
 * clear to the end of the screen). Lines are cut to the width so that none wraps, which would
 * make the cursor-up count wrong.
 */
export class RedrawingTableView implements TableView {
  private drawnLines = 0;

  constructor(private readonly out: TerminalOut) {}

  show(table: string, status: string): void {
    const width = this.out.columns ?? 0;
    const fit = (line: string): string => (width > 1 ? line.slice(0, width - 1) : line);
    const frame = [status, ...tableLines(table)].map(fit);
    const up = this.drawnLines > 0 ? CURSOR_UP(this.drawnLines) : '';
    this.out.write(`${up}${CLEAR_TO_END}${frame.join('\n')}\n`);
    this.drawnLines = frame.length;
  }
}

/**
 * Anywhere else (a pipe, a CI log): appends the status and the table only when the table or
 * the state changed, not counting the AGE column, which changes every second.
 */
export class AppendingTableView implements TableView {
  private last: string | undefined;

  constructor(private readonly out: TerminalOut) {}

  show(table: string, status: string, state = ''): void {
    const key = `${state}\n${withoutAgeColumn(table)}`;
    if (key === this.last) return;
    this.last = key;
    this.out.write(`${[status, ...tableLines(table)].join('\n')}\n\n`);
  }
}

export function tableViewFor(out: TerminalOut): TableView {
  return out.isTTY === true ? new RedrawingTableView(out) : new AppendingTableView(out);
}

/** The table without its AGE column (and what follows it), to compare two tables. */
export function withoutAgeColumn(table: string): string {
  const lines = tableLines(table);
  const at = /(^|\s)AGE(\s|$)/.exec(lines[0] ?? '');
  if (at === null) return lines.join('\n');
  const column = at.index + (at[1] ?? '').length;
  return lines.map((line) => line.slice(0, column).trimEnd()).join('\n');
}
