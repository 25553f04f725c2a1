/** Request validation is the shared ajv instance (src/shared/validation.ts), so the domain can check with it too. */
export * from '../shared/validation';
