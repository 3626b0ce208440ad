// What a leader sees of a resident's contact details.
import { maskName, maskPhone } from './privacy';

const mask = { phone: maskPhone, name: maskName };

test.each([
  ['phone', 'keeps its first three and last four digits', '13812341234', '138****1234'],
  ['phone', 'keeps its first three and last four digits', '19900000001', '199****0001'],
  ['phone', 'too short to mask safely is hidden entirely', '123456', '****'],
  ['phone', 'too short to mask safely is hidden entirely', '', '****'],
  ['name', 'keeps only its first character', '王芳', '王*'],
  ['name', 'keeps only its first character', '欧阳娜娜', '欧***'],
  ['name', 'keeps only its first character', '张三丰', '张**'],
  ['name', 'keeps only its first character', 'Alice', 'A****'],
  ['name', 'of one character or none is hidden entirely', '张', '*'],
  ['name', 'of one character or none is hidden entirely', '', '*'],
  ['name', 'counts a character outside the BMP as one', '𠮷野家', '𠮷**'],
] as const)('a %s %s: %j → %j', (field, _rule, value, masked) => {
  expect(mask[field](value)).toBe(masked);
});
