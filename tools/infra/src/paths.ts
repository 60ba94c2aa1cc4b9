/**
 * Locations that follow from where this package sits in the repository: the repository root
 * (default parent of `.data/`) and the committed Kafka artifact lock list. Works from src/ (tests)
 * and dist/ (the built CLI) alike, both being one level below the package folder.
 */
import { fileURLToPath } from 'node:url';

/** tools/infra/ */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The repository root (two levels above tools/infra/). */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** tools/infra/kafka/artifacts.lock */
export const KAFKA_LOCK_FILE = fileURLToPath(new URL('../kafka/artifacts.lock', import.meta.url));
