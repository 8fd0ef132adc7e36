// A failed `helm template`: the chart or values are wrong, helm is missing, or
// it ran past its timeout. The message is what a user sees in status.
export class RenderError extends Error {
  readonly stderr: string;

  constructor(message: string, stderr = '', cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RenderError';
    this.stderr = stderr;
  }
}
