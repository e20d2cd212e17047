import { describe, expect, it } from 'vitest';
import { DEMO_RESOURCES, demoSource } from './datahub-demo.ts';

describe('the data-sharing story’s departmental source', () => {
  it.each([
    ['MariaDB when it answers', 'mysql://root@127.0.0.1:3306/citybrain_demo', 'MariaDB'],
    ['the shipped CSV files when it does not', 'mysql://root@127.0.0.1:1/citybrain_demo', 'CSV'],
  ])('serves the same permits from %s', async (_what, url, where) => {
    const source = await demoSource(url);
    try {
      expect(source.where.startsWith(where)).toBe(true);
      const result = await source.connector.query(
        'discharge_permits',
        [{ field: 'river', op: 'eq', value: '蒲河' }],
        10,
      );
      expect(result.rows.map((r) => r.enterprise)).toEqual(
        expect.arrayContaining(['寨溪镇污水处理厂', '蒲河场镇污水处理厂']),
      );
      expect(result.rows).toHaveLength(4);
      expect(DEMO_RESOURCES.permits).toBe('demo-ee-discharge-permits');
    } finally {
      await source.connector.close();
    }
  });
});
