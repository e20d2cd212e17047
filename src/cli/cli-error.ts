/** An error the CLI reports as one line on stderr with a non-zero exit, without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}
