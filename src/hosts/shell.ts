// Remote commands are fixed templates. Text typed in Slack never becomes shell text: every value
// interpolated into a template is validated by its caller and single-quoted here.

declare const shellBrand: unique symbol;
/** A command line built only from trusted literals and quoted values. */
export type ShellCommand = string & { readonly [shellBrand]: true };

/** POSIX single-quoting: the only character needing care inside '…' is ' itself. */
export function quote(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new Error('refusing to quote a value containing a NUL byte');
  if (/^[A-Za-z0-9_./=:@%+,-]+$/.test(text)) return text;
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Tagged template: literal parts are trusted code, every `${value}` is quoted. */
export function sh(literals: TemplateStringsArray, ...values: Array<string | number>): ShellCommand {
  let out = literals[0] ?? '';
  values.forEach((value, index) => {
    out += quote(value) + (literals[index + 1] ?? '');
  });
  return out as ShellCommand;
}

/** Runs several commands in one remote shell, each one's failure not stopping the next. */
export function joinCommands(commands: readonly ShellCommand[], separator: '; ' | ' && ' = '; '): ShellCommand {
  return commands.join(separator) as ShellCommand;
}
