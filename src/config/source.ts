import { loadConfigFile } from './load.ts';
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
  ) {
    this.config = initial ?? loadConfigFile(file);
  }

  current(): DockmedicConfig {
    return this.config;
  }

  reload(): DockmedicConfig {
    this.config = loadConfigFile(this.file);
    return this.config;
  }
}

export class StaticConfigSource implements ConfigSource {
  constructor(private readonly config: DockmedicConfig) {}
  current(): DockmedicConfig {
    return this.config;
  }
}
