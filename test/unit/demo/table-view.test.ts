import { expect } from 'chai';
import {
  AppendingTableView,
  RedrawingTableView,
  tableViewFor,
  withoutAgeColumn,
} from '../../../src/demo/table-view.js';

const ESC = '\x1b';
const HEADER = 'NAME           PHASE       JOBS   READY   REASON          AGE\n';
const table = (phase: string, ready: string, reason: string, age: string): string =>
  `${HEADER}${'rollout-ok'.padEnd(15)}${phase.padEnd(12)}${'0/1'.padEnd(7)}${ready.padEnd(8)}${reason.padEnd(16)}${age}\n`;

function fakeOut(
  isTTY: boolean,
  columns?: number,
): { writes: string[]; isTTY: boolean; columns?: number; write(text: string): void } {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    ...(columns === undefined ? {} : { columns }),
    write(text: string) {
      writes.push(text);
    },
  };
}

describe('demo: the live table', () => {
  describe('withoutAgeColumn', () => {
    it('drops AGE (and what follows) from every line, keeping the other columns', () => {
      expect(withoutAgeColumn(table('Running', 'False', 'JobsRunning', '12s'))).to.equal(
        'NAME           PHASE       JOBS   READY   REASON\nrollout-ok     Running     0/1    False   JobsRunning',
      );
    });

    it('makes tables that differ only by AGE equal, and others not', () => {
      const a = table('Running', 'False', 'JobsRunning', '9s');
      const b = table('Running', 'False', 'JobsRunning', '10s');
      const c = table('Succeeded', 'True', 'JobsSucceeded', '10s');
      expect(withoutAgeColumn(a)).to.equal(withoutAgeColumn(b));
      expect(withoutAgeColumn(b)).to.not.equal(withoutAgeColumn(c));
    });

    it('leaves text without an AGE header (e.g. an error from kubectl) as it is', () => {
      expect(withoutAgeColumn('No resources found in demo namespace.\n')).to.equal(
        'No resources found in demo namespace.',
      );
    });
  });

  describe('when stdout is not a terminal', () => {
    it('appends the status and the table only when the table or the state changed', () => {
      const out = fakeOut(false);
      const view = new AppendingTableView(out);
      view.show(table('Running', 'False', 'JobsRunning', '1s'), '(1s; 0 of 1 settled)', '0 of 1');
      view.show(table('Running', 'False', 'JobsRunning', '2s'), '(2s; 0 of 1 settled)', '0 of 1');
      view.show(table('Running', 'False', 'JobsRunning', '3s'), '(3s; 0 of 1 settled)', '0 of 1');
      view.show(
        table('Succeeded', 'True', 'JobsSucceeded', '4s'),
        '(4s; 0 of 1 settled)',
        '0 of 1',
      );
      view.show(
        table('Succeeded', 'True', 'JobsSucceeded', '5s'),
        '(5s; 1 of 1 settled)',
        '1 of 1',
      );
      expect(out.writes).to.have.length(3);
      expect(out.writes[0]).to.equal(
        `(1s; 0 of 1 settled)\n${table('Running', 'False', 'JobsRunning', '1s')}\n`,
      );
      expect(out.writes[1]).to.match(/^\(4s; 0 of 1 settled\)\nNAME .*\nrollout-ok +Succeeded/);
      expect(out.writes[2]).to.match(/^\(5s; 1 of 1 settled\)\n/);
      expect(out.writes.join('')).to.not.include(ESC);
    });

    it('is what tableViewFor picks for a pipe', () => {
      expect(tableViewFor(fakeOut(false))).to.be.instanceOf(AppendingTableView);
      expect(tableViewFor(fakeOut(true))).to.be.instanceOf(RedrawingTableView);
    });
  });

  describe('on a terminal', () => {
    it('redraws in place: cursor up over the previous frame, clear, new frame', () => {
      const out = fakeOut(true, 80);
      const view = new RedrawingTableView(out);
      view.show(table('Running', 'False', 'JobsRunning', '1s'), 'status 1');
      view.show(table('Running', 'False', 'JobsRunning', '2s'), 'status 2');
      expect(out.writes[0]?.startsWith(`${ESC}[0Jstatus 1\nNAME`)).to.equal(true);
      // Three lines were drawn: the status, the header and one row.
      expect(out.writes[1]?.startsWith(`${ESC}[3A\r${ESC}[0Jstatus 2\nNAME`)).to.equal(true);
      expect(out.writes[1]).to.match(/2s\n$/);
    });

    it('cuts lines to the terminal width, so that none wraps and breaks the redraw', () => {
      const out = fakeOut(true, 20);
      new RedrawingTableView(out).show(
        table('Running', 'False', 'JobsRunning', '1s'),
        'x'.repeat(50),
      );
      const lines = (out.writes[0] ?? '').replace('\x1b[0J', '').trimEnd().split('\n');
      expect(lines).to.have.length(3);
      for (const line of lines) expect(line.length).to.be.at.most(19);
    });
  });
});
