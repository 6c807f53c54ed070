import { type ConfigCheck, loadConfigFile } from './load.ts';
import type { DockmedicConfig } from './schema.ts';

/** The config in force, read anew at each use so a reload reaches everyone. */
export interface ConfigSource {
  current(): DockmedicConfig;
}

/** The config in force; `reload()` swaps it only when the new file is valid as a whole. */
export class FileConfigSource implements ConfigSource {
  private config: DockmedicConfig;

  constructor(
    private readonly file: string,
    initial?: DockmedicConfig,
    /** Run at every load and reload, beside the schema (e.g. commands/index.ts: accessProblems). */
    private readonly check?: ConfigCheck,
  ) {
    this.config = initial ?? loadConfigFile(file, check);
  }

  current(): DockmedicConfig {
    return this.config;
  }

  reload(): DockmedicConfig {
    this.config = loadConfigFile(this.file, this.check);
    return this.config;
  }
}

export class StaticConfigSource implements ConfigSource {
  constructor(private readonly config: DockmedicConfig) {}
  current(): DockmedicConfig {
    return this.config;
  }
}
