import mysql from 'mysql2/promise';
async function main() {
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root' });
  await c.query('CREATE DATABASE IF NOT EXISTS zz_ar'); await c.query('USE zz_ar');
  await c.query('CREATE TABLE IF NOT EXISTS t (id VARCHAR(10) PRIMARY KEY, a INT, b INT, UNIQUE KEY u (a, b))');
  const [r1] = await c.query('INSERT INTO t (id, a, b) VALUES ? ON DUPLICATE KEY UPDATE id = id', [[['x1', 1, 1], ['x2', 1, 2]]]);
  const [r2] = await c.query('INSERT INTO t (id, a, b) VALUES ? ON DUPLICATE KEY UPDATE id = id', [[['y1', 1, 1], ['y3', 1, 3]]]);
  console.log(r1, r2);
  await c.query('DROP DATABASE zz_ar'); await c.end();
}
main();
