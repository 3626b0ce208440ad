// Where the integration suite records the functions' AWS calls, for the IAM check that follows it.
import { resolve } from 'node:path';

export const AWS_CALLS_DIR = resolve(__dirname, '..', '..', '.aws-calls');
