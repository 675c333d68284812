/**
 * What the demo started, stopped in reverse order (operator, simulator, control plane). Every
 * step runs even when an earlier one fails, so that no process is left behind.
 */
export class Teardown {
  private readonly steps: { what: string; stop: () => Promise<unknown> }[] = [];

  constructor(private readonly progress: (line: string) => void) {}

  add(what: string, stop: () => Promise<unknown>): void {
    this.steps.push({ what, stop });
  }

  /** Stops everything; resolves with the errors (none when everything stopped cleanly). */
  async run(): Promise<Error[]> {
    const errors: Error[] = [];
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      try {
        await step.stop();
        this.progress(`stopped ${step.what}`);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        errors.push(error);
        this.progress(`could not stop ${step.what}: ${error.message}`);
      }
    }
    return errors;
  }
}
