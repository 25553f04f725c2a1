/** Request validation is the shared ajv instance (src/platform/validation.ts), so the domain can check with it too. */
export * from '../../platform/validation';
