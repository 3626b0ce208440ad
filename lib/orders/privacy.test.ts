// What a leader sees of a resident's contact details.
import { maskName, maskPhone } from './privacy';

test('a phone keeps its first three and last four digits', () => {
  expect(maskPhone('13812341234')).toBe('138****1234');
  expect(maskPhone('19900000001')).toBe('199****0001');
});

test('a phone too short to mask safely is hidden entirely', () => {
  expect(maskPhone('123456')).toBe('****');
  expect(maskPhone('')).toBe('****');
});

test('a name keeps only its first character', () => {
  expect(maskName('王芳')).toBe('王*');
  expect(maskName('欧阳娜娜')).toBe('欧***');
  expect(maskName('张三丰')).toBe('张**');
  expect(maskName('Alice')).toBe('A****');
});

test('a one-character or empty name is hidden entirely', () => {
  expect(maskName('张')).toBe('*');
  expect(maskName('')).toBe('*');
});

test('characters outside the BMP count as one character each', () => {
  expect(maskName('𠮷野家')).toBe('𠮷**');
});
