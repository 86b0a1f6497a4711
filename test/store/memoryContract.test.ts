/**
 * The store contract against the in-memory store: every "process" of a test shares one store.
 */
import { createMemoryStore } from '../../src/store/index.js';
import { storeContract } from './contract.js';

storeContract('memory', () => ({
  async stores(count, options) {
    const store = createMemoryStore(options);
    return Array.from({ length: count }, () => store);
  },
}));
