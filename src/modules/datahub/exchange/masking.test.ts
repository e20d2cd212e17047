import { describe, expect, it } from 'vitest';
import {
  isValidResidentId,
  maskAddress,
  maskIdNumber,
  maskName,
  maskPhone,
  maskPlate,
  maskRows,
  maskValue,
} from './masking.ts';

describe('masking', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['86-199-0000-1111', '199****1111'],
    ['023-63851234', '*******1234'],
    ['12345678901', '*******8901'],
    ['123', '****'],
  ])('phone %s → %s', (input, out) => expect(maskPhone(input)).toBe(out));

  it.each([
    ['11010519491231002X', true],
    ['11010519491231002x', true],
    ['500103199003071239', true],
    ['500103200002298883', true],
    ['500103199003071238', false], // wrong check digit
    ['500103199002301230', false], // 30 February
    ['50010319900307123', false], // 17 digits
    ['5001031990030712X9', false],
  ])('resident ID %s valid: %s', (input, valid) => expect(isValidResidentId(input)).toBe(valid));

  it.each([
    ['11010519491231002X', '110105********002X'],
    ['500103199003071239', '500103********1239'],
    ['500103199003071238', '******************'],
    ['not an id', '******************'],
  ])('ID number %s → %s', (input, out) => expect(maskIdNumber(input)).toBe(out));

  it.each([
    ['张三', '张*'],
    ['张三丰', '张**'],
    ['欧阳娜娜', '欧阳**'],
    ['司马光', '司马*'],
    ['欧阳', '欧*'],
    ['李', '*'],
    ['阿依古丽·买买提', '阿***·***'],
    ['John Smith', 'J*** S****'],
    ['', ''],
  ])('name %s → %s', (input, out) => expect(maskName(input)).toBe(out));

  it.each([
    ['重庆市渝中区民族路188号', '重庆市渝中区****'],
    ['重庆市綦江区古南街道綦河村3组', '重庆市綦江区****'],
    ['四川省阿坝县某乡', '四川省阿坝县****'],
    ['北京市朝阳门外大街', '北京市****'],
    ['民族路188号', '民族路****'],
    ['重庆市渝中区', '重庆市渝中区'],
  ])('address %s → %s', (input, out) => expect(maskAddress(input)).toBe(out));

  it.each([
    ['渝A12345', '渝A***45'],
    ['渝AD12345', '渝A****45'],
    ['渝a·12345', '渝A***45'],
    ['川B1234学', '川B***4学'],
    ['XYZ', '***'],
  ])('plate %s → %s', (input, out) => expect(maskPlate(input)).toBe(out));

  it.each([
    [undefined, '13812345678', '138****5678'],
    [undefined, '500103199003071239', '500103********1239'],
    [undefined, '渝A12345', '渝A***45'],
    [undefined, 'free text', '***'],
    ['redact', '13812345678', '***'],
    ['phone', 13812345678, '138****5678'],
    ['name', null, null],
    ['name', { a: 1 }, '***'],
  ] as const)('value of kind %s: %s → %s', (kind, input, out) => expect(maskValue(kind, input)).toBe(out));

  it('masks rows by field class and drops restricted and unclassified fields', () => {
    const r = maskRows(
      [
        {
          permit_no: 'PW-001',
          company: '綦江化工',
          legal_person: '欧阳娜娜',
          contact_phone: '13812345678',
          inspector_note: 'secret',
          extra: 'x',
        },
      ],
      [
        { name: 'permit_no', class: 'public' },
        { name: 'company', class: 'internal' },
        { name: 'legal_person', class: 'personal', kind: 'name' },
        { name: 'contact_phone', class: 'personal', kind: 'phone' },
        { name: 'inspector_note', class: 'restricted' },
      ],
    );
    expect(r.rows).toEqual([
      { permit_no: 'PW-001', company: '綦江化工', legal_person: '欧阳**', contact_phone: '138****5678' },
    ]);
    expect(r.maskedFields).toEqual(['legal_person', 'contact_phone']);
    expect(r.droppedFields).toEqual(['inspector_note']);
  });
});
