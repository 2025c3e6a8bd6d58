import { Fragment, type ComponentChildren, type VNode } from 'preact';
import { ScrollTable } from './ScrollTable.js';

/** One column of a DataTable: its header and how a row fills its cell. */
export interface Column<T> {
  /** A text: a `<th scope="col">` with it; a function: the whole header cell (e.g. a sort button). */
  header: string | (() => VNode);
  cell: (row: T) => ComponentChildren;
  /** The row's header cell (`<th scope="row">`): what names the row for assistive technology. */
  rowHeader?: boolean;
  class?: string;
  /** data-field of the cell: the API field it shows (the tests read cells by it). */
  field?: string;
  /** data-value of the cell: the raw value behind a formatted one. */
  value?: (row: T) => string;
}

/**
 * The console's table: a ScrollTable (named, scrollable with the keyboard) with one header row, one row per item
 * (`rowKey`, and `rowData` for the row's data-* attributes) and, when there is none, one row saying so.
 */
export function DataTable<T>(props: {
  label: string;
  testid: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  rowData?: (row: T) => Record<string, string>;
  /** Shown in a row of its own when there are no rows (nothing: an empty body). */
  empty?: string;
}) {
  const { columns } = props;
  return (
    <ScrollTable label={props.label} testid={props.testid}>
      <thead>
        <tr>
          {columns.map((c, i) =>
            typeof c.header === 'string' ? (
              <th key={i} scope="col">
                {c.header}
              </th>
            ) : (
              // Called, not mounted as a component of its own: an inline function would be a new component at
              // every render, remounting the cell (a sort button would lose the keyboard focus).
              <Fragment key={i}>{c.header()}</Fragment>
            ),
          )}
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 && props.empty !== undefined && (
          <tr>
            <td colSpan={columns.length}>{props.empty}</td>
          </tr>
        )}
        {props.rows.map((row) => (
          <tr key={props.rowKey(row)} {...(props.rowData?.(row) ?? {})}>
            {columns.map((c, i) => {
              const attrs = {
                key: i,
                class: c.class,
                'data-field': c.field,
                'data-value': c.value?.(row),
              };
              return c.rowHeader ? (
                <th scope="row" {...attrs}>
                  {c.cell(row)}
                </th>
              ) : (
                <td {...attrs}>{c.cell(row)}</td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}
