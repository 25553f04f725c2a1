import type { ValueTransformer } from 'typeorm';

/** DECIMAL comes back from mysql2 as a string; quantities are plain numbers in the API. */
export const decimalNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null ? null : Number(v)),
};

/** TINYINT(1) as boolean. */
export const tinyBool: ValueTransformer = {
  to: (v: boolean | null | undefined) => (v === undefined || v === null ? v : v ? 1 : 0),
  from: (v: number | null) => (v === null ? null : v === 1),
};
