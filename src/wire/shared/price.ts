// Price in OCPI 2.2.1 (§16.5 {excl_vat, incl_vat?}) and 2.3.0 (types §Price {before_taxes, taxes: TaxAmount[]}),
// each rendered from whichever form the canonical Price holds (domain/price.ts; docs/DOWN-MAPPING.md).
import { inclTaxes, taxesOf } from '../../domain/price.js';
import type { Price, TaxAmount } from '../../domain/session.js';
import { objectCodec } from '../kit/object.js';
import { list, mapped, num, str } from '../kit/value.js';

const price221Object = objectCodec<Price>({ title: 'Price', description: 'OCPI 2.2.1 §16.5 Price.' }, (f) => [
  f.req('excl_vat', 'exclVat', num()),
  f.opt('incl_vat', 'inclVat', num()),
]);

/** 2.2.1 Price: incl_vat as received, else before taxes + the 2.3.0 taxes. */
export const price221 = mapped(
  price221Object,
  (p: Price): Price => p,
  (p) => {
    const incl = inclTaxes(p);
    return incl === undefined ? { exclVat: p.exclVat } : { exclVat: p.exclVat, inclVat: incl };
  },
);

export const taxAmount = objectCodec<TaxAmount>(
  { title: 'TaxAmount', description: 'OCPI 2.3.0 types §TaxAmount.' },
  (f) => [
    f.req('name', 'name', str(255)),
    f.opt('account_number', 'accountNumber', str(255)),
    f.opt('percentage', 'percentage', num()),
    f.req('amount', 'amount', num()),
  ],
);

const price230Object = objectCodec<Price>(
  { title: 'Price', description: 'OCPI 2.3.0 types §Price.' },
  (f) => [f.req('before_taxes', 'exclVat', num()), f.opt('taxes', 'taxes', list(taxAmount))],
);

/** 2.3.0 Price: the taxes as received, else one `VAT` of incl_vat - excl_vat from a 2.2.1 price. */
export const price230 = mapped(
  price230Object,
  (p: Price): Price => p,
  (p) => {
    const taxes = taxesOf(p);
    return taxes === undefined ? { exclVat: p.exclVat } : { exclVat: p.exclVat, taxes };
  },
);
