// Validation plumbing shared by every codec: an issue list keyed by JSON path (`$.location.evses[0].uid`),
// and the conversion of TypeBox schema errors (JSON pointers, `/location/evses/0/uid`) into such issues.
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { CAMEL_ENUM_TABLES_A } from './camel/enum-tables.js';
import type { ValidationIssue } from './codec.js';

/** OCPI DateTime as accepted on input (2.1.1 types §1.2, 2.2.1 §16.2): `Z` optional, any fraction. */
export const DATE_TIME_PATTERN =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|z|[+-][0-9]{2}:?[0-9]{2})?$';

/** Upper bound on reported issues, so that a hostile body cannot make the issue list itself huge. */
export const MAX_ISSUES = 1000;

/** Accumulates issues; keeps the first issue per path (a second complaint about one value adds nothing). */
export class IssueList {
  readonly items: ValidationIssue[] = [];
  private readonly paths = new Set<string>();
  private truncated = false;

  add(path: string, message: string): void {
    if (this.paths.has(path) || this.truncated) return;
    if (this.items.length >= MAX_ISSUES) {
      this.truncated = true;
      this.items.push({ path: '$', message: `more issues; only the first ${MAX_ISSUES} are reported` });
      return;
    }
    this.paths.add(path);
    this.items.push({ path, message });
  }
  get full(): boolean {
    return this.truncated;
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
}

/** `/location/evses/0` → `$.location.evses[0]`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '$';
  let out = '$';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^[0-9]+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Runs a compiled schema over `json` and adds one issue per violation. */
export function addSchemaIssues(check: TypeCheck<TSchema>, json: unknown, issues: IssueList): void {
  if (check.Check(json)) return;
  for (const error of check.Errors(json)) {
    addError(error, issues);
    if (issues.full) return;
  }
}

function addError(e: ValueError, issues: IssueList): void {
  if (e.type === ValueErrorType.Union) {
    const variants = (e.schema.anyOf ?? []) as TSchema[];
    const nonNull = variants.findIndex((v) => v.type !== 'null');
    // `T | null` (optional field): report what is wrong against T.
    if (variants.length === 2 && variants.some((v) => v.type === 'null')) {
      for (const inner of e.errors[nonNull] ?? []) {
        addError(inner, issues);
        if (issues.full) return;
      }
      return;
    }
  }
  issues.add(pointerToPath(e.path), messageFor(e));
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function messageFor(e: ValueError): string {
  const s = e.schema;
  // Enum schemas (string unions and integer ranges alike) are titled with the enum's name.
  const enumName =
    typeof s.title === 'string' && Object.hasOwn(CAMEL_ENUM_TABLES_A, s.title) ? s.title : undefined;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'required';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.Array:
      return 'must be a list';
    case ValueErrorType.ArrayMinItems:
      return `must hold at least ${s.minItems} item(s)`;
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.StringMaxLength:
      return `must be at most ${s.maxLength} characters (got ${typeof e.value === 'string' ? e.value.length : '?'})`;
    case ValueErrorType.StringPattern:
      return s.pattern === DATE_TIME_PATTERN
        ? `must be an OCPI DateTime such as 2015-06-29T20:39:09Z (got ${show(e.value)})`
        : `must match ${s.pattern} (got ${show(e.value)})`;
    case ValueErrorType.Number:
      return 'must be a finite number';
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberMinimum:
      return enumName
        ? `${show(e.value)} is not one of the ${enumName} values (0..${s.maximum})`
        : `must be between ${s.minimum ?? '-∞'} and ${s.maximum ?? '∞'} (got ${show(e.value)})`;
    case ValueErrorType.Kind: // the registered string-enum kind (kit/enum.ts)
      return enumName ? `${show(e.value)} is not one of the ${enumName} values` : e.message;
    case ValueErrorType.Union:
      return 'has none of the allowed shapes';
    default:
      return e.message;
  }
}
