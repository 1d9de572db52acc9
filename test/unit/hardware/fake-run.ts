// A RunCommand fake: answers from a function and records every call.
import type { CommandResult, RunCommand, RunCommandOptions } from '../../../src/process/run-command.js';

export interface Call {
  readonly file: string;
  readonly args: readonly string[];
  readonly options: RunCommandOptions;
}

/** A result as a finished command would give it. */
export function result(partial: Partial<CommandResult> = {}): CommandResult {
  return { exitCode: 0, signal: null, stdout: '', stderr: '', timedOut: false, ...partial };
}

/** A fake runner and the list of calls it received. */
export function fakeRun(
  answer: (file: string, args: readonly string[]) => CommandResult | Promise<CommandResult>,
): {
  run: RunCommand;
  calls: Call[];
} {
  const calls: Call[] = [];
  const run: RunCommand = (file, args, options) => {
    calls.push({ file, args, options });
    return Promise.resolve(answer(file, args));
  };
  return { run, calls };
}
