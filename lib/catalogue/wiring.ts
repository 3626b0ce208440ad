// Production wiring of the catalogue's use-cases: the store the DATA_STORE setting names (DynamoDB on AWS and
// in the local stack, CloudBase's document database in the CloudBase build).
import { cloudbaseCatalogueStore } from '../adapters/cloudbase/catalogue';
import { randomIds, systemClock } from '../runtime/clock';
import { onCloudBase } from '../runtime/config';
import { dynamoCatalogueStore } from '../store/catalogue';
import type { CatalogueDeps, CatalogueStore } from './catalogue';

export const catalogueStore = (): CatalogueStore => (onCloudBase() ? cloudbaseCatalogueStore() : dynamoCatalogueStore());

export const catalogueDeps = (): CatalogueDeps => ({ catalogue: catalogueStore(), clock: systemClock, ids: randomIds });
