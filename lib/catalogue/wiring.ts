// Production wiring of the catalogue's use-cases.
import { randomIds, systemClock } from '../runtime/clock';
import { dynamoCatalogueStore } from '../store/catalogue';
import type { CatalogueDeps } from './catalogue';

export const catalogueDeps = (): CatalogueDeps => ({ catalogue: dynamoCatalogueStore(), clock: systemClock, ids: randomIds });
