import { AppError } from '../../src/platform/app-error';

/** Runs `fn` and expects it to throw a validation_error AppError whose details include `details`. */
export function expectValidationError(fn: () => unknown, details: Record<string, unknown>): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe('validation_error');
  expect((caught as AppError).details).toMatchObject(details);
}

/** Runs `fn` and expects it to throw an AppError of this code whose details include `details`. */
export function expectAppError(fn: () => unknown, code: string, details: Record<string, unknown>): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  expect((caught as AppError).details).toMatchObject(details);
}
