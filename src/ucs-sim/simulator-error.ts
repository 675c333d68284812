export type SimulatorErrorReason =
  'UnknownJob' | 'UnknownFault' | 'UnknownTask' | 'NotModelled' | 'InvalidInput';

/** An error of the simulator's programmatic API; the admin API maps `reason` to 404 or 400. */
export class SimulatorError extends Error {
  constructor(
    readonly reason: SimulatorErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}
