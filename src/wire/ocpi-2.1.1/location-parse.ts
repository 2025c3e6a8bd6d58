// Parsing a lone OCPI 2.1.1 Location (§mod_locations 3.1), e.g. the `location` an ingest body may carry.
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { Location } from '../../domain/location.js';
import type { ParseResult } from '../codec.js';
import { wireStyle } from '../kit/style.js';
import { addSchemaIssues, IssueList } from '../validate.js';
import { location211 } from './location.js';

const w = wireStyle('ocpi-2.1.1');
let check: TypeCheck<TSchema> | undefined;

export function parseLocation211(json: unknown, path = '$'): ParseResult<Location> {
  const issues = new IssueList();
  check ??= TypeCompiler.Compile(location211.schema(w));
  addSchemaIssues(check, json, issues);
  const value = issues.empty ? location211.decode(json, { w, path, issues }) : undefined;
  if (!issues.empty || value === undefined) {
    return { ok: false, issues: issues.items.map((i) => ({ ...i, path: i.path.replace(/^\$/, path) })) };
  }
  return { ok: true, value };
}
