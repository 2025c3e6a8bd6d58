// `ocpi-sessions partners add|list|remove --db <file> ...`
import { PARTNER_FORMATS, ROLES, type PartnerFormat, type Role } from '../../domain/party.js';
import { addPartner, removePartner } from '../../service/partners.js';
import { invite } from '../../modules/credentials/service/registration.js';
import { ourVersionsUrl } from './register.js';
import { openStore } from '../../store/open.js';
import { dbOption, parse, UsageError } from '../args.js';

export async function partners(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, {
    db: { type: 'string' },
    'country-code': { type: 'string' },
    'party-id': { type: 'string' },
    format: { type: 'string' },
    role: { type: 'string' },
    token: { type: 'string' },
    json: { type: 'boolean' },
    'public-url': { type: 'string' },
  });
  const store = await openStore(dbOption(values.db));
  try {
    switch (sub) {
      case 'add': {
        const cc = values['country-code'];
        const pid = values['party-id'];
        if (!cc || !pid) throw new UsageError('partners add needs --country-code CC --party-id PID');
        const format = (values.format ?? 'ocpi') as PartnerFormat;
        if (!PARTNER_FORMATS.includes(format)) throw new UsageError('--format must be ocpi or camel');
        const roles = (values.role ?? 'EMSP').toUpperCase().split(',') as Role[];
        if (!roles.every((r) => ROLES.includes(r)))
          throw new UsageError('--role must be EMSP, CPO or CPO,EMSP');
        const { partner, token } = await addPartner(store, {
          countryCode: cc,
          partyId: pid,
          format,
          roles,
          token: values.token,
        });
        if (values.json) console.log(JSON.stringify({ ...partner, token }));
        else
          console.log(
            `added partner ${partner.key} (${partner.roles.join(',')}, format ${partner.format})\ntoken: ${token}`,
          );
        return 0;
      }
      case 'list': {
        const list = await store.listPartners();
        if (values.json) console.log(JSON.stringify(list));
        else if (list.length === 0) console.log('no partners');
        else
          for (const p of list) {
            const endpoints = p.endpoints
              .map((e) => `${e.identifier}${e.role ? `/${e.role}` : ''}=${e.url}`)
              .join(' ');
            const cols = [
              p.key || '(invited)',
              p.roles.join(',') || '-',
              p.state,
              p.version ?? '-',
              `format=${p.format}`,
            ];
            console.log([...cols, endpoints].join('\t'));
          }
        return 0;
      }
      case 'invite': {
        const versionsUrl = await ourVersionsUrl(store, values['public-url']);
        const tokenA = await invite(store);
        if (values.json) console.log(JSON.stringify({ token: tokenA, url: versionsUrl }));
        else
          console.log(
            `token A: ${tokenA}\nversions URL: ${versionsUrl}\n` +
              `The partner registers with: ocpi-sessions register --db <its db> ${versionsUrl} --token ${tokenA}`,
          );
        return 0;
      }
      case 'remove': {
        const key =
          positionals[0] ??
          (values['country-code'] && values['party-id']
            ? `${values['country-code']}-${values['party-id']}`
            : undefined);
        if (!key) throw new UsageError('partners remove needs CC-PID (or --country-code and --party-id)');
        const removed = await removePartner(store, key);
        console.log(removed ? `removed partner ${key.toUpperCase()}` : `no partner ${key.toUpperCase()}`);
        return removed ? 0 : 1;
      }
      default:
        throw new UsageError('usage: ocpi-sessions partners add|list|remove|invite --db <file> ...');
    }
  } finally {
    await store.close();
  }
}
