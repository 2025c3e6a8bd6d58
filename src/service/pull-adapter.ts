// What a module plugs into the pull runner (pull-runner.ts): which interface of the partner it pulls, and how
// pages of raw objects are stored ("store pages": parse with the module's codecs, report the invalid, and upsert
// the valid of several pages in one transaction when the runner flushes). The runner, the window, the checkpoints and the page stream are the same for every module.
import type { InterfaceRef } from '../client/discovery.js';
import type { StreamPage } from '../client/page-stream.js';
import type { Sighting } from '../client/shift.js';
import type { ModuleId } from '../domain/module-id.js';
import type { OcpiVersion, WireFormat } from '../domain/wire-format.js';
import type { SessionStore } from '../store/contract.js';
import type { CamelCandidate } from '../wire/camel/enum-tables.js';
import type { ParseContext, ValidationIssue } from '../wire/codec.js';

export interface InvalidObject {
  /** Page number within this run (1-based) and index in its `data` list (0-based). */
  page: number;
  index: number;
  url: string;
  id?: string;
  issues: ValidationIssue[];
}

/** How the objects of a page are read: the crawl's version (undefined: per object) and the parse context. */
export interface PageParsing {
  version: OcpiVersion | undefined;
  /** The context of a format; throws when it cannot be had (2.1.1 without the parties). */
  context: (format: WireFormat) => ParseContext;
}

/** Where a stored object was seen (client/page-stream.ts `see`: the shifting rules). */
export interface Sightings {
  see(key: string, lastUpdated: number, position: number | undefined): Sighting;
}

/** The counts of one run's page writer (the summary and the progress show them). */
export interface PageWriter {
  readonly received: number;
  /** Objects seen again in this run (a correction's overlap, a rewind, a moved object). */
  readonly repeated: number;
  readonly invalid: number;
  readonly invalidObjects: InvalidObject[];
  /** Objects of this run, first sightings only: new, changed, or what we hold already. */
  readonly stored: { new: number; updated: number; unchanged: number };
  /**
   * Parses the page and reports its invalid objects; its valid objects wait (`pending`) until `flush` stores them.
   * Nothing of a page is kept when its parse throws.
   */
  write(page: StreamPage, parsing: PageParsing): Promise<void>;
  /** Valid objects written but not yet stored. */
  readonly pending: number;
  /** Stores the new or changed objects of every page written since the last flush, in one transaction. */
  flush(): Promise<void>;
}

export interface PageWriterOptions {
  camelEnums?: CamelCandidate;
  onInvalid?: (o: InvalidObject) => void;
}

export interface PullAdapter {
  readonly module: ModuleId;
  /** The partner's interface pulled: the module's SENDER (OCPI 2.2.1 §6.2.2). */
  readonly endpoint: InterfaceRef & { role: 'SENDER' };
  pageWriter(store: SessionStore, sightings: Sightings, options: PageWriterOptions): PageWriter;
}
