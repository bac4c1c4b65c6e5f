import { CheckFailedError } from '../../src/errors.js';

/** The CheckFailedError a command's promise rejects with; fails the test when it resolves instead. */
export async function checkFailure(promise: Promise<unknown>): Promise<CheckFailedError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(CheckFailedError);
    return err as CheckFailedError;
  }
  throw new Error('the command did not fail');
}
