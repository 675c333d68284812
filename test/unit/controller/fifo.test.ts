import { expect } from 'chai';
import { Fifo } from '../../../src/controller/fifo.js';

describe('Fifo', () => {
  it('takes items in the order they came, past its compaction point', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    const taken: number[] = [];
    // Interleaved pushes and takes cross the 1,024-item compaction more than once.
    for (let i = 0; i < 3000; i++) {
      taken.push(fifo.shift() ?? -1);
      if (i % 3 === 0) fifo.push(5000 + i / 3);
    }
    expect(taken).to.deep.equal(Array.from({ length: 3000 }, (_, i) => i));
    expect(fifo.length).to.equal(2000 + 1000);
    const rest = fifo.takeAll();
    expect(rest.slice(0, 2000)).to.deep.equal(Array.from({ length: 2000 }, (_, i) => 3000 + i));
    expect(rest.slice(2000)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => 5000 + i));
    expect(fifo.length).to.equal(0);
    expect(fifo.shift()).to.equal(undefined);
  });
});
