// Price conversions between versions: OCPI 2.3.0 types §Price {before_taxes, taxes: TaxAmount[]}, 2.2.1 §16.5
// {excl_vat, incl_vat?}, 2.1.1 a number excluding VAT. The canonical Price keeps what arrived (docs/DOWN-MAPPING.md).
import type { Price, TaxAmount } from './session.js';

// OCPI 2.3.0 types §number: "Unless mentioned otherwise, numbers use 4 decimals".
function money(x: number): number {
  return Math.round(x * 1e4) / 1e4 + 0;
}

/** The price including taxes: as given (2.2.1 incl_vat), else before taxes + the taxes listed (2.3.0). */
export function inclTaxes(p: Price): number | undefined {
  if (p.inclVat !== undefined) return p.inclVat;
  if (!p.taxes?.length) return undefined;
  return money(p.taxes.reduce((sum, t) => sum + t.amount, p.exclVat));
}

/**
 * The taxes of a price: as given (2.3.0), else one tax named `VAT` of incl_vat - excl_vat (2.2.1 names the
 * difference VAT; its rate and account number are not known); undefined when neither is known.
 */
export function taxesOf(p: Price): TaxAmount[] | undefined {
  if (p.taxes !== undefined) return p.taxes;
  if (p.inclVat === undefined) return undefined;
  return [{ name: 'VAT', amount: money(p.inclVat - p.exclVat) }];
}
