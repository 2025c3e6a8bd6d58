// `ocpi-sessions schema <object> [--version 2.1.1|2.2.1] [--format ocpi|camel]`: prints the JSON Schema
// (2020-12) of an object as this server sends and accepts it: the schemas the codecs validate with, for
// partners who validate what we send.
import type { TSchema } from '@sinclair/typebox';
import { Option, type Command } from 'commander';
import { PARTNER_FORMATS, type PartnerFormat } from '../../domain/party.js';
import { NO_CAMEL_MESSAGE, styleSpeaks, wireFormatFor, type OcpiVersion } from '../../domain/wire-format.js';
import { STATUS } from '../../http/envelope.js';
import { JSON_SCHEMA_DIALECT, toJsonSchema } from '../../http/openapi/json-schema.js';
import { errorEnvelopeSchema, OCPI_VERSIONS } from '../../http/openapi/schemas.js';
import { sessionsPageSchema } from '../../modules/sessions/http/openapi.js';
import { location211 } from '../../wire/ocpi-2.1.1/location.js';
import { codecFor } from '../../modules/sessions/wire/codecs.js';
import { action, examples, subcommand, UsageError } from '../args.js';

interface SchemaObject {
  what: string;
  build(version: OcpiVersion, format: PartnerFormat): TSchema;
}

/** Every status_code this server sends in an error envelope (envelope.ts). */
const ERROR_CODES = Object.values(STATUS).filter((c) => c !== STATUS.SUCCESS);

export const SCHEMA_OBJECTS: Record<string, SchemaObject> = {
  session: {
    what: 'a Session object (2.1.1 with its Location embedded)',
    build: (v, f) => codecFor(wireFormatFor(f, v)).schema,
  },
  'session-patch': {
    what: 'the body of a Session PATCH',
    build: (v, f) => codecFor(wireFormatFor(f, v)).patchSchema,
  },
  location: {
    what: 'the Location embedded in an OCPI 2.1.1 Session',
    build: (v, f) => {
      // OCPI 2.2.1 §9.3.1: a Session refers to its Location by location_id / evse_uid / connector_id.
      if (v !== '2.1.1')
        throw new UsageError(
          'location: OCPI 2.2.1 sessions do not embed the Location (location_id, evse_uid, connector_id); use --version 2.1.1',
        );
      return location211.schema(codecFor(wireFormatFor(f, v)).style);
    },
  },
  envelope: {
    what: 'a page of the Sessions GET: the response envelope around the Session list',
    build: (v, f) => sessionsPageSchema(f, v),
  },
  error: {
    what: 'an error response envelope',
    build: (_v, f) => errorEnvelopeSchema(f, ERROR_CODES),
  },
};

function known(): string {
  return Object.entries(SCHEMA_OBJECTS)
    .map(([name, o]) => `  ${name.padEnd(14)} ${o.what}`)
    .join('\n');
}

/** The JSON Schema document of an object, as printed. */
export function schemaDocument(object: string, version: OcpiVersion, format: PartnerFormat): object {
  const entry = SCHEMA_OBJECTS[object];
  if (!entry) throw new UsageError(`schema: unknown object '${object}'; known objects:\n${known()}`);
  if (!styleSpeaks(format, version)) throw new UsageError(`schema: ${NO_CAMEL_MESSAGE}`);
  return { $schema: JSON_SCHEMA_DIALECT, ...toJsonSchema(entry.build(version, format)) };
}

function schema(object: string | undefined, values: { version: OcpiVersion; format: PartnerFormat }): number {
  if (object === undefined) throw new UsageError(`schema: which object? Known objects:\n${known()}`);
  console.log(JSON.stringify(schemaDocument(object, values.version, values.format), null, 2));
  return 0;
}

export function addSchemaCommand(program: Command): void {
  const cmd = subcommand(
    program,
    'schema',
    'print the JSON Schema (2020-12) of an object as we send and accept it',
  )
    .argument('[object]', `one of: ${Object.keys(SCHEMA_OBJECTS).join(', ')}`)
    .addOption(new Option('--version <version>', 'OCPI version').choices(OCPI_VERSIONS).default('2.2.1'))
    .addOption(
      new Option('--format <format>', 'ocpi: standard OCPI; camel: the camelCase/integer format')
        .choices(PARTNER_FORMATS)
        .default('ocpi'),
    )
    .addHelpText('after', `\nObjects:\n${known()}\n`)
    .action(action(schema));
  examples(cmd, [
    'ocpi-sessions schema session --version 2.2.1 --format camel',
    'ocpi-sessions schema location --version 2.1.1',
  ]);
}
