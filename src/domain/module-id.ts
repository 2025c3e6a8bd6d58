// The OCPI modules whose objects this service stores, pushes and pulls. A module id is half of the key of what the
// store keeps per object and partner (an outbox entry, what was delivered) and of a pull's sync state; the other
// half is the object's seq in that module's table, or the pull key. Grows with the modules: 'cdrs', 'tariffs' …
export const MODULE_IDS = ['sessions'] as const;
export type ModuleId = (typeof MODULE_IDS)[number];
