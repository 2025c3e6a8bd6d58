// `ocpi-sessions party set --db <file> --country-code CC --party-id PID --role CPO|EMSP|CPO,EMSP [--name ..] [--website URL]`
// `ocpi-sessions party show --db <file>`
import { ROLES, type Role } from '../../domain/party.js';
import { getIdentity, setIdentity } from '../../service/identity.js';
import { openStore } from '../../store/open.js';
import { dbOption, parse, UsageError } from '../args.js';

export async function party(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parse(rest, {
    db: { type: 'string' },
    'country-code': { type: 'string' },
    'party-id': { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    website: { type: 'string' },
  });
  const store = await openStore(dbOption(values.db));
  try {
    if (sub === 'set') {
      const cc = values['country-code'];
      const pid = values['party-id'];
      if (!cc || !/^[A-Za-z]{2}$/.test(cc)) throw new UsageError('--country-code must be 2 letters');
      if (!pid || !/^[A-Za-z0-9]{3}$/.test(pid))
        throw new UsageError('--party-id must be 3 letters or digits');
      const roles = (values.role ?? 'CPO').toUpperCase().split(',') as Role[];
      if (!roles.length || !roles.every((r) => ROLES.includes(r)))
        throw new UsageError('--role must be CPO, EMSP or CPO,EMSP');
      await setIdentity(store, {
        countryCode: cc,
        partyId: pid,
        roles,
        name: values.name ?? `${cc.toUpperCase()}-${pid.toUpperCase()}`,
        website: values.website,
      });
      console.log(`this instance is ${cc.toUpperCase()}-${pid.toUpperCase()} (${roles.join(',')})`);
      return 0;
    }
    if (sub === 'show') {
      const id = await getIdentity(store);
      console.log(id ? JSON.stringify(id) : 'no identity set');
      return id ? 0 : 1;
    }
    throw new UsageError('usage: ocpi-sessions party set|show --db <file> ...');
  } finally {
    await store.close();
  }
}
